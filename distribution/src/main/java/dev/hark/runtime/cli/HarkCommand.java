package dev.hark.runtime.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hark}: the standalone runtime and its tools. */
@Command(
        name = "hark",
        mixinStandardHelpOptions = true,
        versionProvider = HarkCommand.Version.class,
        description = "Durable workflows that wait for external events, exactly once.",
        subcommands = {
            ServeCommand.class,
            PluginsCommand.class,
            TokensCommand.class,
            WorkflowCommands.Start.class,
            WorkflowCommands.Status.class,
            InspectCommand.class,
            WorkflowCommands.Output.class,
            WorkflowCommands.ListWorkflows.class,
            WorkflowCommands.Cancel.class,
            BackupCommands.Backup.class,
            BackupCommands.Restore.class,
            CommandLine.HelpCommand.class
        })
public final class HarkCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line without exiting, for tests and embedding. */
    public static int execute(String... args) {
        return new CommandLine(new HarkCommand()).execute(args);
    }

    /** Runs the command line without exiting, writing to the given streams. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new HarkCommand()).setOut(out).setErr(err).execute(args);
    }

    /** Runs the command line with {@code environment} in place of the process's environment variables. */
    static int execute(PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = CommandLine.defaultFactory().create(type);
                if (made instanceof ServeCommand serve) {
                    serve.environment = environment::get;
                } else if (made instanceof WorkflowCommands.ClientCommand client) {
                    client.environment = environment::get;
                }
                return made;
            }
        };
        return new CommandLine(new HarkCommand(), factory)
                .setOut(out)
                .setErr(err)
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HarkCommand.class.getPackage().getImplementationVersion();
            return new String[] {"hark " + (version == null ? "(development build)" : version)};
        }
    }
}
