/**
 * Events sent into the runtime, as their senders see them: a send's outcome
 * ({@link dev.hark.runtime.event.Delivery}, what {@code Hark.sendEvent} completes with and the HTTP
 * endpoint answers from) and what an idempotency key may be.
 */
package dev.hark.runtime.event;
