// The Hark console: plain JavaScript over the admin API of the server that serves it.
// Every value from the server is written with textContent or SVG attributes, never as HTML.
'use strict';

(function () {
  const TOKEN_KEY = 'hark.adminToken';
  const SVG = 'http://www.w3.org/2000/svg';
  const STATES = ['pending', 'running', 'waiting', 'checkpointed', 'committed', 'done', 'lost', 'failed', 'stopped'];
  const REFRESH_MILLIS = 1500;
  const HEALTH_REFRESH_MILLIS = 1000;

  const $ = (id) => document.getElementById(id);
  const list = { after: null, next: null, previous: [] };
  let refreshTimer = null;
  let healthTimer = null;
  let shownWorkflow = null;
  // Each render takes a number; a reply for an older one is dropped (a filter changed meanwhile,
  // or a refresh crossed an action's), so that only the newest render draws and polls.
  let renders = 0;

  // --- the admin API -------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.Authorization = 'Bearer ' + token; // as the CLI sends HARK_TOKEN
    }
    const init = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body === undefined ? {} : body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      return { status: 0, data: { error: 'unreachable', message: 'the server did not answer: ' + e.message } };
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (response.status === 401 || response.status === 403) {
      say((data && data.message ? data.message : 'refused') + ' — enter an admin token above.');
    }
    return { status: response.status, data };
  }

  function problem(reply) {
    return reply.data && reply.data.message ? reply.data.message : 'HTTP ' + reply.status;
  }

  function say(text, info) {
    const box = $('message');
    box.textContent = text;
    box.className = info ? 'message info' : 'message';
    box.hidden = !text;
  }

  // --- small DOM helpers -----------------------------------------------------------------------

  function cell(row, text, asCode) {
    const td = row.insertCell();
    if (asCode) {
      const code = document.createElement('code');
      code.textContent = text;
      td.appendChild(code);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function json(value) {
    return value === undefined ? '' : JSON.stringify(value, null, 2);
  }

  function clear(tbody) {
    while (tbody.firstChild) {
      tbody.removeChild(tbody.firstChild);
    }
  }

  function emptyRow(tbody, columns, text) {
    const td = tbody.insertRow().insertCell();
    td.colSpan = columns;
    td.className = 'empty';
    td.textContent = text;
  }

  function svg(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) {
      element.setAttribute(key, String(value));
    }
    if (parent) {
      parent.appendChild(element);
    }
    return element;
  }

  // --- routing ---------------------------------------------------------------------------------

  function route() {
    clearTimeout(refreshTimer);
    const hash = location.hash || '#/';
    const match = /^#\/workflows\/(.+)$/.exec(hash);
    $('list-view').hidden = !!match;
    $('workflow-view').hidden = !match;
    if (match) {
      const id = decodeURIComponent(match[1]);
      if (shownWorkflow !== id) {
        shownWorkflow = id;
        $('event-key').value = '';
        $('event-result').textContent = '';
      }
      showWorkflow(id);
    } else {
      shownWorkflow = null;
      showList();
    }
  }

  // --- the workflow list -----------------------------------------------------------------------

  async function showList() {
    const render = ++renders;
    const params = new URLSearchParams();
    const status = $('status-filter').value;
    if (status) {
      params.set('status', status);
    }
    params.set('limit', $('page-size').value);
    if (list.after) {
      params.set('after', list.after);
    }
    const reply = await api('GET', '/workflows?' + params.toString());
    if (render !== renders) {
      return;
    }
    const tbody = $('workflow-table').tBodies[0];
    clear(tbody);
    if (reply.status !== 200) {
      emptyRow(tbody, 2, 'cannot list workflows: ' + problem(reply));
      return;
    }
    const workflows = reply.data.workflows;
    for (const workflow of workflows) {
      const row = tbody.insertRow();
      const link = document.createElement('a');
      link.href = '#/workflows/' + encodeURIComponent(workflow.workflow_id);
      link.textContent = workflow.workflow_id;
      row.insertCell().appendChild(link);
      const badge = document.createElement('span');
      badge.className = 'badge ' + workflow.status;
      badge.textContent = workflow.status;
      row.insertCell().appendChild(badge);
    }
    if (workflows.length === 0) {
      emptyRow(tbody, 2, 'no workflows' + (status ? ' with status ' + status : ''));
    }
    list.next = reply.data.next;
    $('next-page').disabled = !list.next;
    $('first-page').disabled = !list.after;
    $('page-info').textContent =
      'page ' + (list.previous.length + 1) + (list.after ? ' (after ' + list.after + ')' : '');
  }

  async function loadHealth() {
    const reply = await api('GET', '/health');
    const badge = $('health');
    const status = reply.data && reply.data.status ? reply.data.status : 'unknown';
    badge.textContent = status;
    badge.className = 'badge ' + status;
    badge.title = reply.data && reply.data.reason ? reply.data.reason : '';
    showResumeProgress(reply.data);
    const select = $('start-definition');
    const definitions = (reply.data && reply.data.definitions) || [];
    if (select.options.length !== definitions.length) {
      clear(select);
      for (const name of definitions) {
        const option = document.createElement('option');
        option.textContent = name;
        select.appendChild(option);
      }
    }
    $('start-button').disabled = definitions.length === 0;
  }

  // After a restart the server re-parks its workflows before it is ready: say how far it is, and
  // ask again until it is done.
  function showResumeProgress(health) {
    const line = $('resume-progress');
    clearTimeout(healthTimer);
    const resuming = health && health.status === 'starting' && health.total > 0;
    line.hidden = !resuming;
    if (resuming) {
      const percent = Math.floor((100 * health.resumed) / health.total);
      line.textContent = 'resuming workflows: ' + health.resumed.toLocaleString('en-US') + ' of '
        + health.total.toLocaleString('en-US') + ' re-parked (' + percent + '%)';
      healthTimer = setTimeout(loadHealth, HEALTH_REFRESH_MILLIS);
    }
  }

  async function start(event) {
    event.preventDefault();
    let input;
    try {
      input = JSON.parse($('start-input').value || '{}');
    } catch (e) {
      say('the input is not JSON: ' + e.message);
      return;
    }
    const body = { definition: $('start-definition').value, input };
    const id = $('start-id').value.trim();
    if (id) {
      body.workflow_id = id;
    }
    const reply = await api('POST', '/workflows', body);
    if (reply.status !== 201) {
      say('not started: ' + problem(reply));
      return;
    }
    say('');
    location.hash = '#/workflows/' + encodeURIComponent(reply.data.workflow_id);
  }

  // --- one workflow ----------------------------------------------------------------------------

  async function showWorkflow(id) {
    const render = ++renders;
    clearTimeout(refreshTimer);
    const path = '/workflows/' + encodeURIComponent(id);
    const [detail, graph] = await Promise.all([api('GET', path), api('GET', path + '/graph')]);
    if (render !== renders || shownWorkflow !== id) {
      return; // a newer render, or the user went elsewhere meanwhile
    }
    $('wf-id').textContent = id;
    if (detail.status !== 200) {
      $('wf-status').textContent = detail.status === 404 ? 'unknown' : '?';
      say('cannot read workflow ' + id + ': ' + problem(detail));
      return;
    }
    const status = detail.data.status;
    const badge = $('wf-status');
    badge.textContent = status;
    badge.className = 'badge ' + status;
    $('cancel').disabled = status === 'SUCCESSFUL' || status === 'CANCELED';
    $('resume').disabled = !(status === 'RESUMABLE' || status === 'FAILED');
    $('error-line').hidden = !detail.data.error;
    $('error-line').textContent = detail.data.error ? 'Error: ' + detail.data.error : '';

    const waits = detail.data.waits || [];
    showWaits(waits);
    showBuffered(detail.data.buffered_events || []);
    const nodes = graph.status === 200 ? graph.data.nodes : [];
    drawGraph(nodes);
    showEvents(nodes);
    $('event-form').hidden = !(status === 'RUNNING' || status === 'RESUMABLE');
    if (!$('event-key').value) {
      const http = waits.find((w) => w.listener.endsWith('.HttpListener') && typeof w.args === 'string');
      if (http) {
        $('event-key').value = http.args;
      }
    }
    if (status === 'SUCCESSFUL') {
      const output = await api('GET', path + '/output');
      if (render !== renders) {
        return;
      }
      $('output').textContent = output.status === 200 ? json(output.data.output) : problem(output);
    } else if (status === 'FAILED') {
      $('output').textContent = 'failed: ' + (detail.data.error || '');
    } else {
      $('output').textContent = status === 'CANCELED' ? 'canceled: no output' : 'no output yet';
    }
    if (status === 'RUNNING' || status === 'RESUMABLE') {
      refreshTimer = setTimeout(() => {
        if (shownWorkflow === id && render === renders) {
          showWorkflow(id);
        }
      }, REFRESH_MILLIS);
    }
  }

  function showWaits(waits) {
    const tbody = $('waits').tBodies[0];
    clear(tbody);
    for (const wait of waits) {
      const row = tbody.insertRow();
      row.dataset.task = wait.task;
      cell(row, wait.task);
      cell(row, wait.listener.substring(wait.listener.lastIndexOf('.') + 1)).title = wait.listener;
      cell(row, typeof wait.args === 'string' ? wait.args : json(wait.args), true);
      cell(row, wait.deadline || 'none');
      cell(row, wait.race || '');
    }
    if (waits.length === 0) {
      emptyRow(tbody, 5, 'no open waits');
    }
  }

  function showBuffered(buffered) {
    const tbody = $('buffered').tBodies[0];
    clear(tbody);
    for (const event of buffered) {
      const row = tbody.insertRow();
      cell(row, event.event_key);
      cell(row, event.event_id, true);
      cell(row, event.received_at);
      cell(row, event.expires_at);
    }
    if (buffered.length === 0) {
      emptyRow(tbody, 4, 'none');
    }
  }

  function showEvents(nodes) {
    const tbody = $('events').tBodies[0];
    clear(tbody);
    const received = nodes.filter((node) => node.event !== undefined);
    for (const node of received) {
      const row = tbody.insertRow();
      cell(row, node.id);
      cell(row, node.label);
      cell(row, node.state);
      cell(row, json(node.event), true);
    }
    if (received.length === 0) {
      emptyRow(tbody, 4, 'none yet');
    }
  }

  // --- the graph: nodes in layers by their longest path from a source, left to right ------------

  function layers(nodes) {
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const layer = new Map();
    const visiting = new Set();
    function depth(node) {
      if (layer.has(node.id)) {
        return layer.get(node.id);
      }
      if (visiting.has(node.id)) {
        return 0; // no cycle is expected; never loop on one
      }
      visiting.add(node.id);
      let d = 0;
      for (const dependency of node.dependencies) {
        if (byId.has(dependency)) {
          d = Math.max(d, depth(byId.get(dependency)) + 1);
        }
      }
      visiting.delete(node.id);
      layer.set(node.id, d);
      return d;
    }
    nodes.forEach(depth);
    return layer;
  }

  function drawGraph(nodes) {
    const canvas = $('dag');
    while (canvas.firstChild) {
      canvas.removeChild(canvas.firstChild);
    }
    const W = 190, H = 46, GAP_X = 60, GAP_Y = 18, PAD = 12;
    const layer = layers(nodes);
    const columns = [];
    for (const node of nodes) {
      const l = layer.get(node.id);
      (columns[l] = columns[l] || []).push(node);
    }
    const place = new Map();
    columns.forEach((column, x) => {
      column.forEach((node, y) => {
        place.set(node.id, { x: PAD + x * (W + GAP_X), y: PAD + y * (H + GAP_Y) });
      });
    });
    const tallest = Math.max(1, ...columns.map((c) => (c ? c.length : 0)));
    canvas.setAttribute('width', String(PAD * 2 + Math.max(1, columns.length) * (W + GAP_X) - GAP_X));
    canvas.setAttribute('height', String(PAD * 2 + tallest * (H + GAP_Y) - GAP_Y));
    const defs = svg('defs', {}, canvas);
    const marker = svg('marker', {
      id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto',
    }, defs);
    svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }, marker);
    for (const node of nodes) {
      const to = place.get(node.id);
      for (const dependency of node.dependencies) {
        const from = place.get(dependency);
        if (!from) {
          continue;
        }
        const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2;
        const bend = Math.max(20, (x2 - x1) / 2);
        svg('path', {
          d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
          class: 'edge', 'marker-end': 'url(#arrow)',
        }, canvas);
      }
    }
    for (const node of nodes) {
      const at = place.get(node.id);
      const group = svg('g', {
        class: 'node state-' + node.state, 'data-id': node.id, 'data-state': node.state,
        transform: `translate(${at.x},${at.y})`,
      }, canvas);
      svg('title', {}, group).textContent = node.kind + ' ' + node.id + ': ' + node.label + ' (' + node.state + ')';
      svg('rect', { width: W, height: H, rx: 6 }, group);
      svg('text', { x: 8, y: 18 }, group).textContent = shorten(node.label, 28);
      svg('text', { x: 8, y: 36, class: 'state' }, group).textContent =
        shorten(node.id, 18) + ' · ' + node.state;
    }
    if (nodes.length === 0) {
      svg('text', { x: PAD, y: PAD + 14 }, canvas).textContent = 'no graph';
    }
  }

  function shorten(text, max) {
    return text.length <= max ? text : text.substring(0, max - 1) + '…';
  }

  function legend() {
    const box = $('legend');
    for (const state of STATES) {
      const item = document.createElement('span');
      const swatch = document.createElement('span');
      swatch.className = 'swatch state-' + state;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(state));
      box.appendChild(item);
    }
  }

  // --- actions ---------------------------------------------------------------------------------

  async function act(action) {
    const id = shownWorkflow;
    const reply = await api('POST', '/workflows/' + encodeURIComponent(id) + '/' + action, {});
    if (reply.status === 200 || reply.status === 202) {
      say(action === 'cancel' ? 'canceled ' + id : 'resumed ' + id, true);
    } else {
      say(action + ' refused: ' + problem(reply));
    }
    clearTimeout(refreshTimer);
    showWorkflow(id);
  }

  async function sendEvent(event) {
    event.preventDefault();
    const id = shownWorkflow;
    let payload;
    try {
      payload = JSON.parse($('event-payload').value);
    } catch (e) {
      $('event-result').textContent = 'the payload is not JSON: ' + e.message;
      return;
    }
    const key = $('event-key').value;
    const reply = await api('POST', '/event/send_event/' + encodeURIComponent(id), {
      event_key: key, event_payload: payload,
    });
    $('event-result').textContent = reply.status === 200
      ? 'accepted: ' + json(reply.data)
      : 'refused (' + reply.status + '): ' + problem(reply);
    clearTimeout(refreshTimer);
    showWorkflow(id);
  }

  function init() {
    $('token').value = sessionStorage.getItem(TOKEN_KEY) || '';
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token').value.trim();
      if (token) {
        sessionStorage.setItem(TOKEN_KEY, token);
      } else {
        sessionStorage.removeItem(TOKEN_KEY);
      }
      say('');
      loadHealth();
      route();
    });
    $('filter-form').addEventListener('submit', (event) => {
      event.preventDefault();
      list.after = null;
      list.previous = [];
      showList();
    });
    $('status-filter').addEventListener('change', () => {
      list.after = null;
      list.previous = [];
      showList();
    });
    $('page-size').addEventListener('change', () => {
      list.after = null;
      list.previous = [];
      showList();
    });
    $('next-page').addEventListener('click', () => {
      if (list.next) {
        list.previous.push(list.after);
        list.after = list.next;
        showList();
      }
    });
    $('first-page').addEventListener('click', () => {
      list.after = null;
      list.previous = [];
      showList();
    });
    $('start-form').addEventListener('submit', start);
    $('refresh-workflow').addEventListener('click', () => {
      clearTimeout(refreshTimer);
      showWorkflow(shownWorkflow);
    });
    $('cancel').addEventListener('click', () => act('cancel'));
    $('resume').addEventListener('click', () => act('resume'));
    $('event-form').addEventListener('submit', sendEvent);
    window.addEventListener('hashchange', route);
    legend();
    loadHealth();
    route();
  }

  document.addEventListener('DOMContentLoaded', init);
})();
