package dev.hark.runtime.cli;

import dev.hark.runtime.plugin.Plugin;
import dev.hark.runtime.plugin.PluginLoader;
import dev.hark.runtime.plugin.PluginProblem;
import dev.hark.runtime.plugin.PluginSet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hark plugins list|check}: what a plugins folder holds, and whether a jar obeys the rules. */
@Command(
        name = "plugins",
        mixinStandardHelpOptions = true,
        description = "Inspect and check plugins.",
        subcommands = {PluginsCommand.ListPlugins.class, PluginsCommand.Check.class})
final class PluginsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List every listener and workflow definition found, and every plugin refused.")
    static final class ListPlugins implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--plugins",
                paramLabel = "DIR",
                defaultValue = "plugins",
                description = "Plugins folder (default: ${DEFAULT-VALUE}).")
        Path pluginsDir;

        @Override
        public Integer call() {
            try (PluginSet plugins = PluginLoader.load(pluginsDir, false)) {
                table(plugins).print(spec.commandLine().getOut());
                return ExitCodes.OK;
            }
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Check one plugin (a jar, or a folder whose jars form one plugin) against the rules"
                    + " of docs/SPEC.md, exactly as the loader does. Exit 0 when it would load, 4 with a"
                    + " report line per problem when it would be refused.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "JAR|DIR", description = "The plugin to check.")
        Path plugin;

        /** Whether a person watches: then even a small plugin's progress is shown. */
        boolean terminal = System.console() != null;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!Files.exists(plugin)) {
                err.println("hark: " + plugin + " does not exist");
                err.flush();
                return ExitCodes.USAGE;
            }
            try (PluginSet plugins = PluginLoader.check(plugin, new JarProgress(err, terminal))) {
                var problems = plugins.problems();
                plugins.warnings().forEach(w -> out.println("warning: " + w.reportLine()));
                Plugin loaded = plugins.plugins().stream()
                        .filter(p -> !p.name().equals(PluginLoader.CLASSPATH))
                        .findFirst()
                        .orElse(null);
                if (problems.isEmpty() && loaded != null) {
                    out.println(plugin + ": OK, " + loaded.listeners().size() + " listener(s), "
                            + loaded.definitions().size() + " workflow definition(s)");
                    out.flush();
                    return ExitCodes.OK;
                }
                problems.forEach(p -> out.println(p.reportLine()));
                out.println(plugin + ": refused, " + problems.size() + " problem(s)");
                out.flush();
                return ExitCodes.PLUGIN_REFUSED;
            }
        }
    }

    static void printLoaded(PrintWriter out, PluginSet plugins) {
        table(plugins).print(out);
    }

    private static Table table(PluginSet plugins) {
        Table table = new Table("PLUGIN", "KIND", "ID", "CLASS", "VERSION", "STATUS");
        for (Plugin plugin : plugins.plugins()) {
            String version = plugin.implementationVersion().orElse("-");
            plugin.listeners()
                    .forEach((id, type) -> table.add(plugin.name(), "listener", id, type.getName(), version, "loaded"));
            plugin.definitions()
                    .forEach((name, definition) -> table.add(
                            plugin.name(),
                            "workflow",
                            name,
                            definition.getClass().getName(),
                            version,
                            "loaded"));
        }
        for (PluginProblem warning : plugins.warnings()) {
            table.add(
                    warning.plugin(),
                    "-",
                    "-",
                    Objects.toString(warning.className(), "-"),
                    "-",
                    "warning: " + warning.rule() + " " + warning.message());
        }
        for (PluginProblem problem : plugins.problems()) {
            table.add(
                    problem.plugin(),
                    "-",
                    "-",
                    Objects.toString(problem.className(), "-"),
                    "-",
                    "refused: " + problem.rule() + " " + problem.message());
        }
        return table;
    }
}
