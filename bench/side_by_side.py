#!/usr/bin/env python3
"""Reads the raw outputs of one bench/side-by-side.sh run and prints the side-by-side table.

    python3 bench/side_by_side.py RUN_DIR [--write-doc docs/PERFORMANCE.md]

RUN_DIR holds meta.txt, host-before.txt, host-after.txt, hark-{http,starts,timers}-<r>.txt,
flowable.txt and dbos.txt; each bench output starts with a '# command:' line. Hark's figures are the
medians of its runs; each peer ran once. With --write-doc the table replaces whatever stands between
the side-by-side marker comments of that file (the file must already have them).
"""

import argparse
import glob
import os
import re
import statistics
import sys

BEGIN = "<!-- side-by-side:begin"
END = "<!-- side-by-side:end -->"
MISSING = "not run"


def read_pairs(path):
    """key=value lines of a bench output; TimersBench's 'case=...' lines become 'up.<key>' etc."""
    pairs, command, started, ended, folder = {}, None, None, None, None
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("# command: "):
                command = line[len("# command: "):]
            elif line.startswith("# dir: "):
                folder = line[len("# dir: "):]
            elif line.startswith("# started: "):
                started = line[len("# started: "):]
            elif line.startswith("# ended: "):
                ended = line[len("# ended: "):]
            elif line.startswith("case="):
                fields = dict(p.split("=", 1) for p in line.split() if "=" in p)
                for k, v in fields.items():
                    pairs[fields["case"] + "." + k] = v
            elif "=" in line and not line.startswith("#") and not line.startswith("["):
                k, v = line.split("=", 1)
                pairs.setdefault(k.strip(), v.strip())
    pairs["_command"] = command
    pairs["_dir"] = folder
    pairs["_started"] = started or ""
    pairs["_ended"] = ended or ""
    return pairs


def num(pairs, key):
    if pairs is None or key not in pairs:
        return None
    v = pairs[key].split()[0]
    if v.count(",") == 1 and "." not in v:  # a peer formats with the default locale
        v = v.replace(",", ".")
    try:
        return float(v)
    except ValueError:
        return None


def load_of(stamp):
    m = re.search(r"load_avg_1m=([0-9.]+)", stamp or "")
    return m.group(1) if m else "?"


def exit_of(pairs):
    m = re.search(r"exit=(\d+)", pairs.get("_ended", "")) if pairs else None
    return int(m.group(1)) if m else None


def grouped(n):
    return f"{n:,.0f}"


def secs(x):
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


class Sources:
    """Numbered commands the table's figures cite."""

    def __init__(self, shorten):
        self.items = []
        self.shorten = shorten

    def cite(self, label, pairs, detail):
        command = self.shorten(pairs.get("_command") or "?")
        folder = self.shorten(pairs.get("_dir") or ".")
        if folder not in (".", ""):
            command = f"cd {folder} && {command}"
        self.items.append((label, command, detail))
        return f"[{label}]"


def median_of(runs, key):
    values = [v for v in (num(r, key) for r in runs) if v is not None]
    return (statistics.median(values), values) if values else (None, [])


def hark_cells(out, src, meta):
    cells = {}
    http = runs_of(out, "http")
    starts = runs_of(out, "starts")
    timers = runs_of(out, "timers")

    if http:
        rate, rates = median_of(http, "events_per_s")
        p99, _ = median_of(http, "latency_p99_ms")
        cpu, _ = median_of(http, "cpu_us_per_event")
        ref = src.cite("h-http", http[0], runs_line(http, rates, "events/s"))
        cells["events"] = (
            f"{grouped(rate)}/s, p99 {p99:.1f} ms, {cpu:.0f} µs CPU/event, 64 clients over HTTP {ref}"
            if rate is not None else f"failed {ref}")
    if starts:
        rate, rates = median_of(starts, "starts_per_s_durable")
        steady, steadies = median_of(starts, "starts_per_s_steady")
        cpu, _ = median_of(starts, "cpu_us_per_start")
        ref = src.cite("h-starts", starts[0],
                       runs_line(starts, rates, "starts/s over the phase") + "; steady (second half): "
                       + " / ".join(grouped(v) for v in steadies))
        if rate is not None:
            cells["starts"] = (f"{grouped(rate)}/s over the phase, {grouped(steady)}/s steady (second half), "
                               f"{cpu:.0f} µs CPU/start, N = {grouped(num(starts[0], 'n'))} {ref}")
            heap, _ = median_of(starts, "heap_per_parked_wait_bytes")
            heap_r, _ = median_of(starts, "heap_per_parked_wait_after_resume_bytes")
            cells["heap"] = f"{heap:.0f} B ({heap_r:.0f} B after restart + `resumeAll`) {ref}" \
                if heap_r is not None else f"{heap:.0f} B {ref}"
            close, _ = median_of(starts, "close_s")
            reopen, _ = median_of(starts, "reopen_s")
            resume, _ = median_of(starts, "resume_all_s")
            if close is not None and resume is not None:
                cells["restart"] = (f"{secs(close)} / {secs(reopen)} / {secs(resume)} "
                                    f"(N = {grouped(num(starts[0], 'n'))}) {ref}")
            idle, _ = median_of(starts, "idle_cpu_cores")
            commits, _ = median_of(starts, "idle_store_commits_per_s")
            if idle is not None:
                cells["idle"] = (f"{commits:.0f} store commits/s, {idle:.3f} CPU cores "
                                 f"(N = {grouped(num(starts[0], 'n'))} parked, 5 s) {ref}")
        else:
            cells["starts"] = f"failed {ref}"
    if timers:
        up, ups = median_of(timers, "up.all_successful_s_from_due")
        down, downs = median_of(timers, "down.all_successful_s_from_reopen")
        ready = all(r.get("up.ready_before_due") == "true" and r.get("down.ready_before_due") == "true"
                    for r in timers)
        ref = src.cite("h-timers", timers[0],
                       runs_line(timers, ups, "s up") + "; down: " + " / ".join(f"{v:.2f}" for v in downs)
                       + " s" + ("" if ready else "; NOT all ready before the due instant (see the raw output)"))
        n = num(timers[0], "up.n")
        warn = "" if ready else " (not all ready before the due instant in every run)"
        if up is not None:
            cells["timers_up"] = f"{grouped(n)} in {secs(up)} after the due instant{warn} {ref}"
        if down is not None:
            cells["timers_down"] = (f"{grouped(n)} in {secs(down)} after the reopen began "
                                    f"(`Hark.open` + `resumeAll`){warn} {ref}")
    return cells


def runs_of(out, job):
    files = sorted(glob.glob(os.path.join(out, f"hark-{job}-*.txt")),
                   key=lambda p: int(re.search(r"-(\d+)\.txt$", p).group(1)))
    return [p for p in (read_pairs(f) for f in files) if p is not None]


def runs_line(runs, values, unit):
    shown = " / ".join(grouped(v) if v >= 100 else f"{v:.2f}" for v in values)
    loads = ", ".join(load_of(r["_started"]) for r in runs)
    return f"runs: {shown} {unit} (load at their starts: {loads})"


def best(pairs, key_of, modes):
    """(value, mode) of the mode with the highest value of key_of(mode)."""
    found = [(num(pairs, key_of(m)), m) for m in modes]
    found = [f for f in found if f[0] is not None]
    return max(found) if found else (None, None)


def thread_count(mode):
    count = mode[:-1]
    return f"{count} thread" + ("" if count == "1" else "s")


def peer_line(pairs):
    code = exit_of(pairs)
    return f"one run, load {load_of(pairs['_started'])} at its start" + ("" if code == 0 else f", exit {code}")


def flowable_cells(out, src):
    p = read_pairs(os.path.join(out, "flowable.txt"))
    if p is None:
        return {}
    ref = src.cite("flowable", p, peer_line(p))
    n = num(p, "n")
    threads = p.get("threads", "8")
    cells = {}
    rate, mode = best(p, lambda m: f"deliver_rate_{m}", ["1t", f"{threads}t"])
    if rate is not None:
        p99 = num(p, f"deliver_p99_us_{mode}")
        cells["events"] = (f"{grouped(rate)}/s at {thread_count(mode)}, in-process, by execution id, "
                           f"p99 {p99 / 1000:.1f} ms, no fsync {ref}")
    rate, mode = best(p, lambda m: f"start_rate_{m}", ["1t", f"{threads}t"])
    if rate is not None:
        cells["starts"] = f"{grouped(rate)}/s at {thread_count(mode)}, N = {grouped(n)} {ref}"
    done = num(p, "timer_all_done_after_due_ms")
    late = " (not all started before the due instant)" if p.get("timer_started_before_due") == "false" else ""
    if done is not None:
        cells["timers_up"] = f"{grouped(n)} in {secs(done / 1000)}{late} {ref}"
    elif "timer_completed" in p:
        cells["timers_up"] = f"not all done: {p['timer_completed']} of {grouped(n)} {ref}"
    heap = num(p, "heap_per_waiting_instance_bytes")
    if heap is not None:
        cells["heap"] = f"{heap:.0f} B (state in the database; H2's page cache in the heap) {ref}"
    cells["timers_down"] = "not measured by its bench"
    cells["idle"] = "not measured by its bench"
    cells["restart"] = "—"
    return with_failure(cells, p, ref)


def dbos_cells(out, src):
    p = read_pairs(os.path.join(out, "dbos.txt"))
    if p is None:
        return {}
    ref = src.cite("dbos", p, peer_line(p))
    n = num(p, "n")
    cells = {}
    modes = [t.strip() + "t" for t in p.get("send_threads", "1,8,64").split(",") if t.strip()]
    rate, mode = best(p, lambda m: f"deliver_complete_rate_{m}", modes)
    if rate is not None:
        p99 = num(p, f"deliver_e2e_p99_ms_{mode}")
        cells["events"] = (f"{grouped(rate)}/s at {thread_count(mode)}, in-process, "
                           f"send→done p99 {secs(p99 / 1000) if p99 >= 1000 else f'{p99:.0f} ms'} {ref}")
    rate, mode = best(p, lambda m: f"start_rate_{m}", ["1t", p.get("threads", "8") + "t"])
    if rate is not None:
        cells["starts"] = f"{grouped(rate)}/s at {thread_count(mode)}, N = {grouped(n)} {ref}"
    done = num(p, "timer_all_done_after_due_ms")
    late = " (not all asleep before the due instant)" if p.get("timer_all_sleeping_before_due") == "false" else ""
    if done is not None:
        cells["timers_up"] = f"{grouped(n)} in {secs(done / 1000)}{late} {ref}"
    done = num(p, "timer_restart_all_done_after_launch_ms")
    if done is not None:
        cells["timers_down"] = f"{grouped(n)} in {secs(done / 1000)} after `launch()` {ref}"
    heap = num(p, "heap_per_parked_workflow_bytes")
    if heap is not None:
        cells["heap"] = f"{heap:,.0f} B (a virtual thread each) {ref}"
    xacts = num(p, "idle_db_xacts_per_s")
    jvm = num(p, "idle_cpu_cores_jvm")
    pg = num(p, "idle_cpu_cores_pg")
    if xacts is not None:
        cores = f"{jvm:.2f} + {pg:.2f} CPU cores (JVM + PostgreSQL)" if pg is not None else f"{jvm:.2f} CPU cores (JVM)"
        cells["idle"] = f"{grouped(xacts)} DB transactions/s, {cores}, N = {grouped(n)} parked {ref}"
    cells["restart"] = "—"
    return with_failure(cells, p, ref)


def with_failure(cells, pairs, ref):
    """A figure a failed or stopped run did not reach says so, instead of a dash."""
    code = exit_of(pairs)
    if code != 0:
        for key, _ in ROWS:
            cells.setdefault(key, f"no figure: the run ended with exit {code} {ref}")
    return cells


ROWS = [
    ("events", "durable events delivered to parked waits"),
    ("starts", "durable starts (each parks on a wait)"),
    ("timers_up", "timers due at one instant, until all workflows done"),
    ("timers_down", "the same, runtime down at the due time, after restart"),
    ("heap", "heap per parked wait"),
    ("restart", "N parked: close / reopen / `resumeAll`"),
    ("idle", "idle cost of N parked waits"),
]


def host_line(out):
    before = read_pairs(os.path.join(out, "host-before.txt")) or {}
    after = read_pairs(os.path.join(out, "host-after.txt")) or {}

    def both(key, unit):
        return f"{before.get(key, '?')} / {after.get(key, '?')} {unit}"

    return (f"Host reference before / after (`HostReference`): sorting 1M ints {both('host_ref_ms', 'ms')}, "
            f"fsync of 4 KiB p50 {both('fsync_p50_us', 'µs')} (p99 {both('fsync_p99_us', 'µs')}).")


def table(out):
    meta = read_pairs(os.path.join(out, "meta.txt")) or {}
    repo, work = meta.get("repo", ""), meta.get("work", "")

    def shorten(command):
        if work:
            command = command.replace(work, "$WORK")
        if repo:
            command = command.replace(repo + "/", "")
            command = "." if command == repo else command.replace(repo, ".")
        return command

    src = Sources(shorten)
    columns = [hark_cells(out, src, meta), flowable_cells(out, src), dbos_cells(out, src)]
    runs = meta.get("runs", "?")
    lines = [
        f"Generated by `bench/side-by-side.sh` on {meta.get('date', '?')} at commit `{meta.get('commit', '?')}`; "
        f"{meta.get('cores', '?')} cores, {meta.get('java', '?')}, Linux {meta.get('kernel', '?')}.",
        f"Hark: N = {grouped(float(meta.get('hark_n', 0)))}, "
        + (f"median of {runs} runs" if runs != "1" else "one run")
        + f"; Flowable and DBOS: N = {grouped(float(meta.get('peer_n', 0)))}, one run each.",
        f"1-minute load average {meta.get('load_avg_1m_start', '?')} at the start, "
        f"{meta.get('load_avg_1m_end', '?')} at the end.",
        host_line(out),
        "Absolute figures compare only within this table.",
        "",
        "| job | Hark | Flowable | DBOS |",
        "|---|---|---|---|",
    ]
    for key, label in ROWS:
        row = [c.get(key, MISSING if not c else "—") for c in columns]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    lines.append("")
    lines.append("Sources (run from the repository root; `$WORK` is the run's temporary folder, "
                 "the peers' benches are copied and built there):")
    lines.append("")
    for label, command, detail in src.items:
        lines.append(f"- [{label}] `{command}` — {detail}")
    lines.append("")
    return "\n".join(lines) + "\n"


def write_doc(path, text):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    begin = doc.find(BEGIN)
    end = doc.find(END)
    if begin < 0 or end < begin:
        sys.exit(f"{path} has no '{BEGIN} ... -->' ... '{END}' markers; add them where the table belongs")
    begin_line_end = doc.index("\n", begin) + 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc[:begin_line_end] + text + doc[end:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("--write-doc", metavar="FILE")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(args.run_dir, "meta.txt")):
        sys.exit(f"{args.run_dir} is not a side-by-side run folder (no meta.txt)")
    text = table(args.run_dir)
    sys.stdout.write(text)
    if args.write_doc:
        write_doc(args.write_doc, text)
        print(f"(written into {args.write_doc})", file=sys.stderr)


if __name__ == "__main__":
    main()
