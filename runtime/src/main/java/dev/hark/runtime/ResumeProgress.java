package dev.hark.runtime;

/**
 * How far the runtime is in resuming its workflows after a restart.
 *
 * @param resuming whether some workflow is still being re-parked: while it is, an event sent to a
 *     workflow not yet re-parked is answered "not yet resumed, retry" (HTTP 503), and {@code /health}
 *     says {@code starting}
 * @param resumed workflows whose waits are parked again
 * @param total workflows the resumption covers: those RESUMABLE when it began (0 if none ran)
 */
public record ResumeProgress(boolean resuming, int resumed, int total) {}
