package dev.hark.workflow.internal;

/** A value could not be written as JSON, or read back as the type it needs. */
public class ValueCodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ValueCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
