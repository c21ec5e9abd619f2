package dev.hark.runtime.storage;

/** Told of each transaction a store commits: how many writes it held and how long its commit took. */
@FunctionalInterface
public interface BatchObserver {

    /** Observes nothing. */
    BatchObserver NONE = (writes, commitNanos) -> {};

    /**
     * Called on the store's writer thread after each commit: keep it short.
     *
     * @param writes the writes the transaction applied
     * @param commitNanos how long the commit took (for a durable store, its flush to disk)
     */
    void committed(int writes, long commitNanos);
}
