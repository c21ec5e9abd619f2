package dev.hark.runtime.plugin;

import java.util.Objects;

/**
 * One rule a plugin (or a provider on the class path) breaks.
 *
 * @param plugin the plugin's name; {@value PluginLoader#CLASSPATH} for the application class path
 * @param className the offending class, or null when the problem is the plugin itself (a corrupt jar)
 * @param rule the rule's number in {@code docs/SPEC.md}, e.g. {@code L1.2}
 * @param message what is wrong, in a few words
 * @param fix what to do about it
 */
public record PluginProblem(String plugin, String className, String rule, String message, String fix) {

    public PluginProblem {
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    /**
     * @return e.g. {@code plugin 'acme': class com.acme.BadListener breaks L1.2 (no public no-arg
     *     constructor) — fix: add 'public BadListener() {}'}
     */
    public String reportLine() {
        String subject = className == null ? "" : " class " + className;
        return "plugin '" + plugin + "':" + subject + " breaks " + rule + " (" + message + ") — fix: " + fix;
    }

    @Override
    public String toString() {
        return reportLine();
    }
}
