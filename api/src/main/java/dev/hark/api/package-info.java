/**
 * The contract between the Hark runtime and an event source.
 *
 * <p>A listener author implements {@link dev.hark.api.EventListener}, returns events that
 * implement {@link dev.hark.api.Event}, and uses the {@link dev.hark.api.EventContext} the runtime
 * hands in. The Javadoc of these types is normative: each rule is quoted with its number and level
 * (for example {@code [L3.1] (MUST)}) as {@code docs/SPEC.md} states it — a test of the build fails
 * when the two differ — and the conformance kit (TCK) cites the number when a listener breaks it.
 *
 * <p>Rules prefixed {@code L} bind listener authors; rules prefixed {@code R} are what the runtime
 * guarantees in return.
 */
package dev.hark.api;
