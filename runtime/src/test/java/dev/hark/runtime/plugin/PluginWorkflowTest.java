package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.listener;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.Event;
import dev.hark.runtime.Hark;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowDefinition;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin listeners and workflow definitions used by real workflows, across a restart. */
class PluginWorkflowTest {

    @TempDir
    static Path pluginsDir;

    @BeforeAll
    static void build() throws Exception {
        String pkg = "com.acme.flow";
        plugin("flows")
                .version("0.9")
                .source(
                        "com.example.lib.Version",
                        "package com.example.lib;\n"
                                + "public final class Version { public static String value() { return \"7\"; } }\n")
                .source(pkg + ".EchoEvent", echoEvent(pkg))
                .source(pkg + ".EchoListener", listener(pkg, "EchoListener", ""))
                .source(
                        pkg + ".Steps",
                        "package " + pkg + ";\n"
                                + "import dev.hark.listeners.http.HttpEvent;\n"
                                + "public final class Steps {\n"
                                + "  public static String text(HttpEvent e) { return e.eventPayload() + \"@\" + com.example.lib.Version.value(); }\n"
                                + "  public static String finish(EchoEvent e) { return \"done:\" + e.text() + \" (\" + e.id() + \")\"; }\n"
                                + "}\n")
                .source(
                        pkg + ".GreetingFlow",
                        "package " + pkg + ";\n"
                                + "import dev.hark.workflow.*;\n"
                                + "import dev.hark.listeners.http.*;\n"
                                + "import java.util.Map;\n"
                                + "public class GreetingFlow implements WorkflowDefinition {\n"
                                + "  public String name() { return \"greeting\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    String key = (String) input.getOrDefault(\"key\", \"greet\");\n"
                                + "    Node<HttpEvent> message = Dag.waitForEvent(HttpListener.class, key);\n"
                                + "    Node<String> text = Dag.task(Steps::text).bind(message);\n"
                                + "    Node<EchoEvent> echoed = Dag.waitForEvent(EchoListener.class, text);\n"
                                + "    return Dag.task(Steps::finish).bind(echoed);\n"
                                + "  }\n"
                                + "}\n")
                .listeners(pkg + ".EchoListener")
                .definitions(pkg + ".GreetingFlow")
                .writeJar(pluginsDir);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aPluginListenerRunsInAWorkflow(@TempDir Path dataDir) throws Exception {
        try (PluginSet set = PluginLoader.load(pluginsDir, true);
                Hark hark = Hark.builder()
                        .dataDir(dataDir)
                        .classLoader(set.classLoader())
                        .open()) {
            Class listener = set.listener("com.acme.flow.EchoListener").orElseThrow();
            Node<Object> wait = Dag.waitForEvent(listener, "hi there");
            Object event = hark.run(wait, "echo-1");
            assertEquals("echo-hi there", ((Event) event).id());
            assertEquals("HI THERE", event.getClass().getMethod("text").invoke(event));
            assertTrue(
                    event.getClass().getClassLoader() instanceof PluginClassLoader,
                    event.getClass().getClassLoader().toString());
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("echo-1"));
            Object stored = hark.output("echo-1");
            assertEquals(event, stored, "the stored output is read back as the plugin's event class");
        }
    }

    @Test
    void aWorkflowDefinitionPluginRunsAndResumesAfterARestartWithTheSetLoadedAgain(@TempDir Path dataDir)
            throws Exception {
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            assertEquals("0.9", set.plugin("flows").orElseThrow().version());
            WorkflowDefinition definition =
                    set.definition("greeting").orElseThrow(() -> new AssertionError(set.report()));
            try (Hark hark = Hark.builder()
                    .dataDir(dataDir)
                    .classLoader(set.classLoader())
                    .open()) {
                hark.start(definition.build(Map.of("key", "k1")), "greet-1")
                        .started()
                        .get(30, TimeUnit.SECONDS);
                awaitInboxWait(hark);
            }
        }

        // a new runtime, and the plugins loaded again into fresh class loaders
        try (PluginSet again = PluginLoader.load(pluginsDir, true);
                Hark hark = Hark.builder()
                        .dataDir(dataDir)
                        .classLoader(again.classLoader())
                        .open()) {
            assertEquals(WorkflowStatus.RESUMABLE, hark.status("greet-1"));
            CompletableFuture<Object> output = hark.resumeAsync("greet-1");
            awaitInboxWait(hark);
            Delivery delivery = hark.sendEvent("greet-1", "k1", "hello").get(30, TimeUnit.SECONDS);
            assertTrue(delivery instanceof Delivery.Accepted, delivery.toString());
            assertEquals("done:HELLO@7 (echo-hello@7)", output.get(30, TimeUnit.SECONDS));
            assertEquals(WorkflowStatus.SUCCESSFUL, hark.status("greet-1"));
        }
    }

    @Test
    void definitionNamesMustBeValidAndUniqueAndDefinitionsMustBeCreatable(@TempDir Path dir) throws Exception {
        java.nio.file.Files.copy(pluginsDir.resolve("flows.jar"), dir.resolve("flows.jar"));
        plugin("other-flows")
                .source("com.acme.other.Greeting", definitionSource("com.acme.other", "Greeting", "greeting", ""))
                .definitions("com.acme.other.Greeting")
                .writeJar(dir);
        plugin("slash")
                .source("com.acme.sl.Slash", definitionSource("com.acme.sl", "Slash", "a/b", ""))
                .definitions("com.acme.sl.Slash")
                .writeJar(dir);
        plugin("former-service")
                .source("com.acme.fs.Former", definitionSource("com.acme.fs", "Former", "former", ""))
                .service("dev.hark.runtime.workflow.WorkflowDefinition", "com.acme.fs.Former")
                .writeJar(dir);
        plugin("throwing-flow")
                .source(
                        "com.acme.tf.Throws",
                        definitionSource(
                                "com.acme.tf",
                                "Throws",
                                "fine",
                                "  public Throws() { throw new IllegalStateException(\"no config\"); }\n"))
                .definitions("com.acme.tf.Throws")
                .writeJar(dir);
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertTrue(set.plugin("flows").isPresent(), set.report());
            assertEquals(
                    "com.acme.flow.GreetingFlow",
                    set.definition("greeting").orElseThrow().getClass().getName());
            assertRefused(set, "other-flows", "com.acme.other.Greeting", "L1.11");
            assertRefused(set, "slash", "com.acme.sl.Slash", "L1.11");
            assertRefused(set, "throwing-flow", "com.acme.tf.Throws", "L1.10");
            assertTrue(set.plugin("former-service").isEmpty(), set.report());
            assertTrue(
                    set.problems("former-service").stream()
                            .anyMatch(p -> p.rule().equals("L1.10")
                                    && p.reportLine().contains("hark-workflow-api")
                                    && p.reportLine()
                                            .contains("META-INF/services/dev.hark.workflow.WorkflowDefinition")),
                    set.report());
            assertFalse(set.definitions().containsKey("a/b"));
        }
    }

    private static void assertRefused(PluginSet set, String plugin, String className, String rule) {
        assertTrue(set.plugin(plugin).isEmpty(), set.report());
        assertTrue(
                set.problems(plugin).stream()
                        .anyMatch(p -> p.rule().equals(rule)
                                && className.equals(p.className())
                                && p.reportLine()
                                        .startsWith("plugin '" + plugin + "': class " + className + " breaks " + rule)),
                set.report());
    }

    private static String definitionSource(String pkg, String simple, String name, String body) {
        return "package " + pkg + ";\n"
                + "import dev.hark.workflow.*;\nimport java.util.Map;\n"
                + "public class " + simple + " implements WorkflowDefinition {\n" + body
                + "  public String name() { return \"" + name + "\"; }\n"
                + "  public Node<?> build(Map<String, Object> input) { return Dag.value(\"x\"); }\n"
                + "}\n";
    }

    private static void awaitInboxWait(Hark hark) throws InterruptedException {
        Await.until(() -> hark.metrics().inboxWaits() >= 1, () -> "the workflow never registered its inbox wait");
    }
}
