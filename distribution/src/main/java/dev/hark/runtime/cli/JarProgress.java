package dev.hark.runtime.cli;

import dev.hark.runtime.plugin.CheckProgress;
import java.io.PrintWriter;

/**
 * {@code hark plugins check}'s progress over a plugin of many jars: a line on stderr every
 * {@link #EVERY} jars and after the last, when someone is watching a terminal or the plugin has more
 * than {@link #QUIET_UP_TO} jars. Stdout keeps the report alone: scripts parse it.
 */
final class JarProgress implements CheckProgress {

    /** Jars per progress line. */
    static final int EVERY = 10;
    /** Plugins up to this many jars are checked quietly unless on a terminal. */
    static final int QUIET_UP_TO = 20;

    private final PrintWriter err;
    private final boolean terminal;

    /**
     * @param terminal whether the command runs on a terminal (Java tells only of stdin and stdout
     *     together: {@code System.console() != null})
     */
    JarProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void jarRead(String plugin, int read, int total) {
        if (!terminal && total <= QUIET_UP_TO || read % EVERY != 0 && read != total) {
            return;
        }
        err.println("hark: plugin '" + plugin + "': read " + read + " of " + total + " jars"
                + (read == total ? "; checking their classes" : ""));
        err.flush();
    }
}
