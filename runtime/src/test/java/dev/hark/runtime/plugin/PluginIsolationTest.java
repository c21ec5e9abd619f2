package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.Event;
import dev.hark.runtime.Hark;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two plugins bundle different versions of the same library class; each sees its own. Neither can
 * reach the runtime's internals, and both share the runtime's api classes.
 */
class PluginIsolationTest {

    @TempDir
    static Path pluginsDir;

    static PluginSet set;

    @BeforeAll
    static void buildAndLoad() throws Exception {
        for (String v : new String[] {"1", "2"}) {
            String pkg = "com.acme.v" + v;
            plugin("lib-v" + v)
                    .source(
                            "com.example.lib.Version",
                            "package com.example.lib;\n"
                                    + "public final class Version { public static String value() { return \"" + v
                                    + "\"; } }\n")
                    .source(pkg + ".EchoEvent", echoEvent(pkg))
                    .source(
                            pkg + ".VersionListener",
                            "package " + pkg + ";\n"
                                    + "import dev.hark.api.*;\nimport java.util.concurrent.*;\n"
                                    + "public class VersionListener implements EventListener<String, EchoEvent> {\n"
                                    + "  public CompletionStage<EchoEvent> pollForEvent(String args, EventContext c) {\n"
                                    + "    return CompletableFuture.completedFuture(\n"
                                    + "        new EchoEvent(\"v-\" + args, args + \" with library \" + com.example.lib.Version.value()));\n"
                                    + "  }\n"
                                    + "}\n")
                    .source(
                            pkg + ".Probe",
                            "package " + pkg + ";\n"
                                    + "public final class Probe {\n"
                                    + "  public static String lookup(String name) {\n"
                                    + "    try { Class.forName(name); return \"found\"; }\n"
                                    + "    catch (ClassNotFoundException e) { return \"ClassNotFoundException\"; }\n"
                                    + "  }\n"
                                    + "  public static Class<?> eventClass() throws Exception { return Class.forName(\"dev.hark.api.Event\"); }\n"
                                    + "  public static java.net.URL resource(String path) { return Probe.class.getClassLoader().getResource(path); }\n"
                                    + "}\n")
                    .listeners(pkg + ".VersionListener")
                    .writeIntoFolder(pluginsDir, "lib-v" + v);
        }
        set = PluginLoader.load(pluginsDir, true);
    }

    @AfterAll
    static void close() {
        if (set != null) {
            set.close();
        }
    }

    private static Object call(String className, String method, Object arg) throws Exception {
        Class<?> type = set.classLoader().loadClass(className);
        return arg == null
                ? type.getMethod(method).invoke(null)
                : type.getMethod(method, String.class).invoke(null, arg);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Node<Object> wait(String listenerId, String args) {
        Class listener = set.listener(listenerId).orElseThrow();
        return Dag.waitForEvent(listener, args);
    }

    @Test
    void eachPluginRunsWithItsOwnVersionOfTheSameLibrary(@TempDir Path dataDir) throws Exception {
        try (Hark hark =
                Hark.builder().dataDir(dataDir).classLoader(set.classLoader()).open()) {
            Object first = hark.run(wait("com.acme.v1.VersionListener", "a"), "wf-v1");
            Object second = hark.run(wait("com.acme.v2.VersionListener", "b"), "wf-v2");
            assertEquals("a with library 1", first.getClass().getMethod("text").invoke(first));
            assertEquals("b with library 2", second.getClass().getMethod("text").invoke(second));
            assertEquals("v-a", ((Event) first).id(), "the event implements the runtime's own Event");
        }
        Class<?> v1 = set.plugin("lib-v1").orElseThrow().classLoader().loadClass("com.example.lib.Version");
        Class<?> v2 = set.plugin("lib-v2").orElseThrow().classLoader().loadClass("com.example.lib.Version");
        assertNotSame(v1, v2);
        assertEquals(
                "runtime class path",
                com.example.lib.Version.value(),
                "the runtime's own copy exists, so child-first is what made each plugin see its own");
        assertEquals("1", v1.getMethod("value").invoke(null));
        assertEquals("2", v2.getMethod("value").invoke(null));
    }

    @Test
    void aPluginCannotReachTheRuntimesInternalsOrItsLibraries() throws Exception {
        for (String probe : new String[] {"com.acme.v1.Probe", "com.acme.v2.Probe"}) {
            assertEquals("ClassNotFoundException", call(probe, "lookup", "dev.hark.runtime.engine.Engine"));
            assertEquals("ClassNotFoundException", call(probe, "lookup", "dev.hark.runtime.Hark"));
            assertEquals("ClassNotFoundException", call(probe, "lookup", "tools.jackson.databind.ObjectMapper"));
            assertEquals("ClassNotFoundException", call(probe, "lookup", "org.junit.jupiter.api.Test"));
            assertNull(call(probe, "resource", "dev/hark/runtime/engine/Engine.class"));
        }
        ClassLoader loader = set.plugin("lib-v1").orElseThrow().classLoader();
        assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.hark.runtime.engine.Engine"));
        // the runtime's own loader does see it, so the refusal is the plugin loader's doing
        assertEquals("found", call("com.acme.v1.Probe", "lookup", "java.util.List"));
        assertSame(dev.hark.runtime.engine.Engine.class, set.classLoader().loadClass("dev.hark.runtime.engine.Engine"));
    }

    @Test
    void sharedPackagesResolveToTheRuntimesOwnClasses() throws Exception {
        assertSame(Event.class, call("com.acme.v1.Probe", "eventClass", null));
        assertSame(Event.class, call("com.acme.v2.Probe", "eventClass", null));
        ClassLoader loader = set.plugin("lib-v2").orElseThrow().classLoader();
        assertSame(Dag.class, loader.loadClass("dev.hark.workflow.Dag"));
        assertSame(dev.hark.listeners.timer.TimerEvent.class, loader.loadClass("dev.hark.listeners.timer.TimerEvent"));
        assertSame(
                com.fasterxml.jackson.annotation.JsonProperty.class,
                loader.loadClass("com.fasterxml.jackson.annotation.JsonProperty"));
    }

    @Test
    void aPluginsServiceFilesAreItsOwn() throws Exception {
        ClassLoader loader = set.plugin("lib-v1").orElseThrow().classLoader();
        var urls = java.util.Collections.list(loader.getResources(PluginScanner.LISTENER_SERVICE));
        assertEquals(1, urls.size(), urls.toString());
        assertTrue(urls.get(0).toString().contains("lib-v1"), urls.toString());
    }
}
