package dev.hark.runtime.storage;

/**
 * The store's write queue is full: the write was refused at once and nothing of it was applied.
 * Transient: the same write sent again once the writer caught up succeeds (the HTTP endpoint
 * answers 503 with {@code Retry-After}).
 */
public class StoreBusyException extends StorageException {
    private static final long serialVersionUID = 1L;

    public StoreBusyException(String message) {
        super(message);
    }
}
