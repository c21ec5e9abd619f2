package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.listeners.http.HttpListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.testing.Await;
import dev.hark.runtime.testing.GreetingDefinition;
import dev.hark.workflow.Dag;
import dev.hark.workflow.internal.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code hark inspect} and {@code hark list}'s paging against a real server over a socket: a
 * workflow waiting for an HTTP event, then the same workflow after the event.
 */
class InspectCommandTest {

    @TempDir
    Path dataDir;

    private Hark hark;
    private String server;

    private void open() {
        hark = Hark.builder()
                .dataDir(dataDir)
                .http(HttpSettings.defaults().withPort(0))
                .adminApi(true)
                .definitions(List.of(new GreetingDefinition()))
                .open();
        server = "--server=http://127.0.0.1:" + hark.httpAddress().orElseThrow().getPort();
    }

    @AfterEach
    void close() {
        if (hark != null) {
            hark.close();
        }
    }

    /** What one command printed, and its exit code. */
    private record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private Run hark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HarkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void inspectShowsTheNodesTheOpenWaitAndThenTheEventAndTheOutput() throws Exception {
        open();
        Instant before = Instant.now().minusSeconds(1);
        assertEquals(
                ExitCodes.OK, hark("start", "greet", "--id", "g-1", "--input", "{\"key\": \"name\"}", server).code);

        Run waiting = Await.value(
                () -> hark("inspect", "g-1", server),
                run -> run.out.contains("waiting"),
                run -> "the wait should be shown waiting: " + run);
        assertEquals(ExitCodes.OK, waiting.code, waiting.toString());
        List<String> lines = waiting.lines();
        assertEquals("g-1", value(lines, "workflow"), waiting.out);
        assertEquals("RUNNING", value(lines, "status"), waiting.out);
        Instant created = Instant.parse(value(lines, "created"));
        assertTrue(!created.isBefore(before), waiting.out);
        assertEquals(created, Instant.parse(value(lines, "status since")), waiting.out);
        // the nodes: the wait (its argument is a constant, so no dependency), then the task that takes its event
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("  HttpListener +wait +waiting +HttpListener +-")), waiting.out);
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("  \\S+ +task +pending +Tasks\\.greet +HttpListener")),
                waiting.out);
        // the open wait: task, listener, its key, no deadline, no race
        assertEquals(
                List.of("open waits:", "  TASK          LISTENER      ARGS    DEADLINE  RACE"),
                after(lines, "open waits:", 2).stream()
                        .map(String::stripTrailing)
                        .toList(),
                waiting.out);
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("  HttpListener +HttpListener +\"name\" +- +-")), waiting.out);
        assertTrue(lines.contains("events received: none"), waiting.out);
        assertTrue(!waiting.out.contains("output:"), waiting.out);

        Delivery delivered = hark.sendEvent("g-1", "name", Map.of("who", "Ada")).get(30, TimeUnit.SECONDS);
        assertInstanceOf(Delivery.Accepted.class, delivered);
        Run done = Await.value(
                () -> hark("inspect", "g-1", server),
                run -> run.out.contains("SUCCESSFUL") && run.out.contains("committed"),
                run -> "the workflow should be done and its event committed: " + run);
        lines = done.lines();
        assertTrue(
                lines.stream().anyMatch(l -> l.matches("  \\S+ +task +done +Tasks\\.greet +HttpListener")), done.out);
        assertTrue(lines.contains("open waits: none"), done.out);
        int events = lines.indexOf("events received:");
        assertTrue(events > 0, done.out);
        assertTrue(lines.get(events + 1).startsWith("  TASK "), done.out);
        String event = lines.get(events + 2);
        assertTrue(event.matches("  HttpListener +HttpListener +committed +\\{.*"), done.out);
        assertTrue(event.contains("\"eventKey\":\"name\""), done.out);
        // the payload is cut to one cell
        assertTrue(event.endsWith("...") || event.contains("Ada"), done.out);
        assertTrue(event.length() <= "  HttpListener  HttpListener  committed  ".length() + InspectCommand.CELL, event);
        assertEquals(
                List.of("output:", "  \"hello {who=Ada}\""),
                lines.subList(lines.indexOf("output:"), lines.size()),
                done.out);
    }

    @Test
    void inspectJsonIsTheServersRepliesInOneObject() throws Exception {
        open();
        hark.start(Dag.waitForEvent(HttpListener.class, "k"), "j-1").started().get(30, TimeUnit.SECONDS);
        Run run = Await.value(
                () -> hark("inspect", "j-1", "--json", server),
                r -> r.out.contains("\"waits\" : [ {"),
                r -> "the open wait should be listed: " + r);
        assertEquals(ExitCodes.OK, run.code, run.toString());
        JsonNode json = Json.MAPPER.readTree(run.out);
        assertEquals("j-1", json.get("workflow").get("workflow_id").asString());
        assertEquals("RUNNING", json.get("workflow").get("status").asString());
        assertEquals("k", json.get("workflow").get("waits").get(0).get("args").asString());
        assertTrue(json.get("workflow").has("created_at"), run.out);
        assertEquals("wait", json.get("graph").get("nodes").get(0).get("kind").asString(), run.out);
        assertTrue(!json.has("output"), run.out);
    }

    @Test
    void anUnknownIdIsRefusedWithExit1AndTheServersMessage() {
        open();
        Run run = hark("inspect", "no-such-workflow", server);
        assertEquals(ExitCodes.REFUSED, run.code, run.toString());
        assertEquals("", run.out);
        assertEquals("hark: server answered 404: No workflow with id 'no-such-workflow'", run.err.strip(), run.err);

        Run unreachable = hark("inspect", "x", "--server=http://127.0.0.1:1");
        assertEquals(ExitCodes.UNREACHABLE, unreachable.code, unreachable.toString());
        assertEquals(ExitCodes.USAGE, hark("inspect", server).code, "the id is required");
    }

    @Test
    void listStartsAfterAnIdAndSaysHowToGetTheNextPage() throws Exception {
        open();
        for (int i = 0; i < 5; i++) {
            hark.start(Dag.waitForEvent(HttpListener.class, "k"), "p-" + i)
                    .started()
                    .get(30, TimeUnit.SECONDS);
        }
        Run first = hark("list", server, "--limit", "2");
        assertEquals(ExitCodes.OK, first.code, first.toString());
        assertEquals(List.of("WORKFLOW_ID  STATUS", "p-0          RUNNING", "p-1          RUNNING"), first.lines());
        assertEquals("hark: more workflows follow; the next page: hark list --after p-1 --limit 2", first.err.strip());

        Run second = hark("list", server, "--limit", "2", "--after", "p-1", "--page-size", "1");
        assertEquals(List.of("WORKFLOW_ID  STATUS", "p-2          RUNNING", "p-3          RUNNING"), second.lines());
        assertTrue(second.err.contains("--after p-3"), second.err);

        Run last = hark("list", server, "--after", "p-3", "--status", "RUNNING");
        assertEquals(List.of("WORKFLOW_ID  STATUS", "p-4          RUNNING"), last.lines());
        assertEquals("", last.err, "nothing follows the last page");

        Run exact = hark("list", server, "--after", "p-2", "--limit", "2");
        assertEquals(List.of("WORKFLOW_ID  STATUS", "p-3          RUNNING", "p-4          RUNNING"), exact.lines());
        assertEquals("", exact.err, "the limit met the end exactly: no next page");
    }

    /** @return the value of the header line {@code name  value} */
    private static String value(List<String> lines, String name) {
        return lines.stream()
                .filter(l -> l.startsWith(name + " "))
                .map(l -> l.substring(name.length()).strip())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " line in " + lines));
    }

    private static List<String> after(List<String> lines, String first, int count) {
        int at = lines.indexOf(first);
        assertTrue(at >= 0, "no '" + first + "' in " + lines);
        return lines.subList(at, Math.min(lines.size(), at + count));
    }
}
