package dev.hark.tck;

/**
 * Where in the exactly-once protocol of one wait the runtime is crashed. Each point is observed
 * through the writes the runtime makes; from that moment the disk is frozen (no later write
 * becomes durable, no completion reaches the runtime) and the runtime is dropped without a polite
 * shutdown, then a new runtime resumes on the same storage.
 */
public enum CrashPoint {
    /** No crash: the step runs to the end. */
    NONE,
    /** The poll returned an event; its checkpoint was submitted but never became durable. */
    BEFORE_CHECKPOINT,
    /** The checkpoint is durable but the runtime never learned it: {@code eventCheckpointed} never ran. */
    AFTER_CHECKPOINT,
    /**
     * The runtime learned the checkpoint and called (or was about to call) {@code eventCheckpointed}
     * when it died, after the step's delay: the commit may be partly done at the source.
     */
    INSIDE_COMMIT,
    /** {@code eventCheckpointed} completed, but the record of the commit never became durable. */
    COMMIT_NOT_RECORDED,
    /** The commit is recorded durably; the runtime died before it learned so. */
    AFTER_COMMIT_RECORDED
}
