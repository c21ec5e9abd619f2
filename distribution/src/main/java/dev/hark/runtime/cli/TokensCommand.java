package dev.hark.runtime.cli;

import dev.hark.runtime.http.Credentials;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hark tokens}: makes credentials for {@code hark serve --tokens}. */
@Command(
        name = "tokens",
        mixinStandardHelpOptions = true,
        description = "Make credentials for `hark serve --tokens FILE`.",
        subcommands = TokensCommand.New.class)
final class TokensCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "new",
            mixinStandardHelpOptions = true,
            description = "Print a new random token (32 bytes from a secure random source), or a webhook secret.")
    static final class New implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--webhook", description = "A Standard Webhooks secret (whsec_...) instead of a token.")
        boolean webhook;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(webhook ? Credentials.newWebhookSecret() : Credentials.newToken());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
