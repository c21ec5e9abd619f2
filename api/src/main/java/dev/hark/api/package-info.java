/**
 * The contract between the Hark runtime and an event source.
 *
 * <p>A listener author implements {@link dev.hark.api.EventListener}, returns events that
 * implement {@link dev.hark.api.Event}, and uses the {@link dev.hark.api.EventContext} the runtime
 * hands in. The Javadoc of these types is normative: each obligation is marked MUST, SHOULD or MAY
 * and carries a rule number (for example {@code [L3.1]}) that {@code docs/SPEC.md} lists and the
 * conformance kit (TCK) cites when a listener breaks it.
 *
 * <p>Rules prefixed {@code L} bind listener authors; rules prefixed {@code R} are what the runtime
 * guarantees in return.
 */
package dev.hark.api;
