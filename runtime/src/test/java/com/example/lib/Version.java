package com.example.lib;

/**
 * A third version of the library class that the isolation tests' plugins bundle, here on the
 * runtime's own class path: a plugin loader that asked its parent first would find this one.
 */
public final class Version {

    private Version() {}

    public static String value() {
        return "runtime class path";
    }
}
