package dev.hark.runtime.cli;

/** Exit codes of every {@code hark} command, for scripts. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The server refused the request. */
    public static final int REFUSED = 1;
    /** Bad usage: unknown option, missing parameter (picocli's own code). */
    public static final int USAGE = 2;
    /** The server could not be reached. */
    public static final int UNREACHABLE = 3;
    /**
     * {@code hark plugins check} refused the plugin (a report line per problem, or not a plugin at
     * all), or {@code hark serve --strict-plugins} refused a plugin.
     */
    public static final int PLUGIN_REFUSED = 4;
    /**
     * {@code hark serve} on a shared database lost its lease (paused or cut off for longer than
     * it): another node took over its workflows. Restart it: it joins as a new node. 75 is
     * sysexits' EX_TEMPFAIL, "try again later".
     */
    public static final int LEASE_LOST = 75;

    private ExitCodes() {}
}
