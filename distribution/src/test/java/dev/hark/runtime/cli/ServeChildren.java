package dev.hark.runtime.cli;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code hark serve} as a real child JVM, for the serve tests: each child writes its output to
 * {@code name.out} in a logs folder, which the tests read to find where it listens and what it
 * printed.
 */
final class ServeChildren {

    static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:[0-9]+)");

    private ServeChildren() {}

    /**
     * @return {@code hark serve --data data --plugins plugins --port 0 options…}, its output to
     *     {@code logs/name.out}, without the parent's {@code HARK_TOKENS}
     */
    static ProcessBuilder serve(Path logs, String name, Path data, Path plugins, List<String> options)
            throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-cp",
                TestPlugins.classPath(),
                HarkCommand.class.getName(),
                "serve",
                "--data",
                data.toString(),
                "--plugins",
                plugins.toString(),
                "--port",
                "0"));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".out").toFile());
        builder.environment().remove("HARK_TOKENS");
        return builder;
    }

    /** @return the URL that child {@code name} listens on, once it says so */
    static String awaitListening(Path logs, String name) throws Exception {
        String output = Await.value(
                () -> logOf(logs, name),
                log -> LISTENING.matcher(log).find(),
                log -> "serve never listened: " + (log.isEmpty() ? "(no output)" : log));
        return LISTENING.matcher(output).results().findFirst().orElseThrow().group(1);
    }

    /** What child {@code name} printed so far: nothing before it started. */
    static String logOf(Path logs, String name) throws IOException {
        Path log = logs.resolve(name + ".out");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    static void awaitLine(Path logs, String name, String text) throws Exception {
        Await.value(
                () -> logOf(logs, name),
                output -> output.contains(text),
                output -> "serve never printed '" + text + "': " + output);
    }
}
