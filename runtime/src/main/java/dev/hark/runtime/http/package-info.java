/**
 * The HTTP event endpoint, compatible with Ray Workflows' {@code POST /event/send_event/{workflow_id}}
 * and hardened beyond it: it answers 200 only once the event is durably checkpointed, keys waits by
 * (workflow id, event key), and refuses malformed, oversized or misdirected requests with a specific
 * status and a JSON error.
 */
package dev.hark.runtime.http;
