package dev.hark.runtime.storage;

/** The store could not read or durably write: the medium failed, is full, or is read-only. */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
