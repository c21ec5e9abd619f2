package dev.hark.runtime.cli;

/** Exit codes of every {@code hark} command, for scripts. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The server refused the request, or a plugin check found problems. */
    public static final int REFUSED = 1;
    /** Bad usage: unknown option, missing parameter (picocli's own code). */
    public static final int USAGE = 2;
    /** The server could not be reached. */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {}
}
