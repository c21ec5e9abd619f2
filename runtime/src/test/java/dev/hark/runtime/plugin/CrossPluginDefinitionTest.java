package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.listener;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1.13: a workflow definition in one plugin that waits on a listener of another plugin cannot see
 * it (each plugin has its own class loader); it used to load, and every workflow started from it
 * failed with {@code NoClassDefFoundError}. It is refused at load, naming the listener, its plugin
 * and what to do; the listener's plugin loads.
 */
class CrossPluginDefinitionTest {

    private static final String FLOW = "package com.acme.cross;\n"
            + "import dev.hark.workflow.*;\n"
            + "import java.util.Map;\n"
            + "public class CrossFlow implements WorkflowDefinition {\n"
            + "  public String name() { return \"cross\"; }\n"
            + "  public Node<?> build(Map<String, Object> input) {\n"
            + "    return Dag.waitForEvent(com.acme.other.EchoListener.class, \"x\");\n"
            + "  }\n"
            + "}\n";

    /** Plugin {@code b-listeners}: a listener. Plugin {@code a-flows}: a definition waiting on it, without it. */
    private static void build(Path pluginsDir) throws Exception {
        plugin("b-listeners")
                .source("com.acme.other.EchoEvent", echoEvent("com.acme.other"))
                .source("com.acme.other.EchoListener", listener("com.acme.other", "EchoListener", ""))
                .listeners("com.acme.other.EchoListener")
                .writeJar(pluginsDir);
        // compiled against the listener, which is left out of the jar: it lives in the other plugin
        plugin("a-flows")
                .source("com.acme.other.EchoEvent", echoEvent("com.acme.other"))
                .source("com.acme.other.EchoListener", listener("com.acme.other", "EchoListener", ""))
                .omit("com.acme.other.EchoEvent")
                .omit("com.acme.other.EchoListener")
                .source("com.acme.cross.CrossFlow", FLOW)
                .definitions("com.acme.cross.CrossFlow")
                .writeJar(pluginsDir);
    }

    @Test
    void aDefinitionWaitingOnAnotherPluginsListenerIsRefusedAtLoad(@TempDir Path pluginsDir) throws Exception {
        build(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, false)) {
            List<PluginProblem> problems = set.problems("a-flows");
            assertEquals(1, problems.size(), set.report());
            PluginProblem problem = problems.get(0);
            assertEquals("L1.13", problem.rule(), set.report());
            assertEquals("com.acme.cross.CrossFlow", problem.className(), set.report());
            String line = problem.reportLine();
            assertTrue(line.contains("listener com.acme.other.EchoListener of plugin 'b-listeners'"), line);
            assertTrue(line.contains("NoClassDefFoundError"), line);
            assertTrue(
                    line.contains("put the workflow definition and the listener in one plugin: move the definition"
                            + " into plugin 'b-listeners', or the listener's jar from plugin 'b-listeners' into"
                            + " plugin 'a-flows'"),
                    line);
            assertTrue(set.plugin("a-flows").isEmpty(), "the definition's plugin is refused");
            assertTrue(set.definition("cross").isEmpty(), "its definition is not offered");
            assertTrue(set.plugin("b-listeners").isPresent(), "the listener's plugin loads: " + set.report());
            assertTrue(set.listener("com.acme.other.EchoListener").isPresent());
            assertEquals(List.of(), set.problems("b-listeners"));
        }
        PluginLoadException strict = assertThrows(PluginLoadException.class, () -> PluginLoader.load(pluginsDir, true));
        assertTrue(strict.getMessage().contains("L1.13"), strict.getMessage());
    }

    @Test
    void theDefinitionAndTheListenerInOnePluginLoad(@TempDir Path pluginsDir) throws Exception {
        plugin("together")
                .source("com.acme.other.EchoEvent", echoEvent("com.acme.other"))
                .source("com.acme.other.EchoListener", listener("com.acme.other", "EchoListener", ""))
                .source("com.acme.cross.CrossFlow", FLOW)
                .listeners("com.acme.other.EchoListener")
                .definitions("com.acme.cross.CrossFlow")
                .writeJar(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            assertTrue(set.definition("cross").isPresent());
            assertTrue(set.listener("com.acme.other.EchoListener").isPresent());
        }
    }
}
