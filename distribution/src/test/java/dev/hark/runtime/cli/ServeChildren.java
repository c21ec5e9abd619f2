package dev.hark.runtime.cli;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * {@code hark serve} as a real child JVM, for the serve tests: each child writes its output to
 * {@code name.out} in a logs folder, which the tests read to find where it listens and what it
 * printed; and the HTTP calls the tests make to it.
 */
final class ServeChildren {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static final Pattern LISTENING = Pattern.compile("Listening on (http://[0-9.]+:[0-9]+)");

    private ServeChildren() {}

    /**
     * @return {@code hark serve --data data --plugins plugins --port 0 options…}, its output to
     *     {@code logs/name.out}, without the parent's {@code HARK_TOKENS}
     */
    static ProcessBuilder serve(Path logs, String name, Path data, Path plugins, List<String> options)
            throws IOException {
        return serve(logs, name, data, plugins, List.of(), options);
    }

    /** As {@link #serve(Path, String, Path, Path, List)}, with options for the child's JVM (system properties). */
    static ProcessBuilder serve(
            Path logs, String name, Path data, Path plugins, List<String> jvmOptions, List<String> options)
            throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
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

    /** @return the response to {@code body} POSTed as JSON to {@code url} */
    static HttpResponse<String> post(String url, String body) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return the output of workflow {@code workflowId}, once it has one */
    static JsonNode awaitOutput(String server, String workflowId) throws Exception {
        HttpResponse<String> response = Await.value(
                () -> CLIENT.send(
                        HttpRequest.newBuilder(URI.create(server + "/workflows/" + workflowId + "/output"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                output -> output.statusCode() == 200,
                output -> "no output for " + workflowId + ": " + output.statusCode() + " " + output.body());
        return Json.MAPPER.readTree(response.body()).get("output");
    }
}
