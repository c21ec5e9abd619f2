package dev.hark.tck;

/**
 * What a source can do, beyond what every listener must. A {@link SourceFixture} declares the
 * capabilities its source lacks in {@link SourceFixture#unsupported()}, each with a reason; the
 * tests that need one are then reported as skipped (aborted) with that reason, never as passed.
 */
public enum Capability {

    /**
     * The source holds an event published while no wait is pending, and keeps it until a listener
     * commits it: a queue, a folder, a table. Needed for publish-before-wait, redelivery checks
     * and the crash schedules. Lacking: a source whose sender holds the event until it is accepted
     * (the runtime's HTTP inbox).
     */
    DURABLE_CHANNEL,

    /**
     * One channel carries a sequence of events, each taken by one wait and forgotten once
     * committed, so waits one after another on the same channel get different events. Lacking: a
     * channel that is a single occurrence every wait on it sees (a timer's deadline); the TCK then
     * opens a fresh channel for every event.
     */
    MULTIPLE_EVENTS_PER_CHANNEL
}
