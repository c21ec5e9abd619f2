package dev.hark.runtime.plugin;

/**
 * Hears how far a plugin check is: a plugin folder may hold hundreds of jars, and {@code hark
 * plugins check} tells the operator it is not stuck.
 */
@FunctionalInterface
public interface CheckProgress {

    /** Hears nothing. */
    CheckProgress NONE = (plugin, read, total) -> {};

    /**
     * Called after each jar is read (its central directory and manifest), before the plugin's
     * classes are scanned and checked.
     *
     * @param read the plugin's jars read so far, this one included
     * @param total the plugin's jars
     */
    void jarRead(String plugin, int read, int total);
}
