/**
 * HTTP events: {@link dev.hark.listeners.http.HttpListener} waits for a
 * {@code POST /event/send_event/{workflow_id}} whose body names its event key, the way Ray Workflows'
 * {@code HTTPListener} did.
 */
package dev.hark.listeners.http;
