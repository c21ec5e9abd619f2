package dev.hark.runtime.plugin;

import java.util.List;

/** Thrown by a strict {@link PluginLoader#load} when any plugin breaks a rule; carries the full report. */
public final class PluginLoadException extends RuntimeException {

    private final transient List<PluginProblem> problems;

    public PluginLoadException(List<PluginProblem> problems) {
        super(problems.size() + " plugin problem(s); start-up stopped because plugin loading is strict:\n"
                + PluginSet.report(problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, in the order found */
    public List<PluginProblem> problems() {
        return problems;
    }

    /** @return one line per problem */
    public String report() {
        return PluginSet.report(problems);
    }
}
