package dev.hark.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that a listener's source is never shared between waits: every occurrence it delivers
 * exists for exactly one wait (a timer's deadline set by that wait, a message addressed to one
 * workflow's inbox key).
 *
 * <p>By default the runtime records a durable claim on every checkpointed event, keyed by
 * (listener id, {@link Event#id()}), and refuses a second checkpoint of a claimed event [R7.1]:
 * that is what makes competing waits on one queue exactly-once. A listener whose occurrences can
 * never reach two waits does not need the claim, and for some it would be wrong: two workflows
 * sleeping until the same instant each get a {@code TimerEvent} with the same id, and both must
 * fire. Such a listener declares this annotation and the runtime writes no claim for its events.
 *
 * <ul>
 *   <li>[L3.9] (MUST) A listener annotated {@code @UnsharedSource} ({@code dev.hark.api.UnsharedSource})
 *       never delivers one occurrence to two waits: waits competing on one channel of its source never
 *       receive the same occurrence. The runtime keeps no claim for such a listener's events (R7.1), so
 *       this is the listener's own promise. {@code TimerListener} and {@code HttpListener} declare it.
 * </ul>
 *
 * <p>The conformance kit checks it with competing waits.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface UnsharedSource {}
