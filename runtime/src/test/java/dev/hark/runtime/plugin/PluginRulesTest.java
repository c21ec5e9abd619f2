package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.listener;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One plugins folder with a good plugin and one bad plugin per rule, loaded once; each test checks
 * that its plugin is refused with the rule's number, naming plugin, class and fix, and that the
 * others are unaffected.
 */
class PluginRulesTest {

    private static final String RAN = "hark.test.plugin-code-ran";

    @TempDir
    static Path pluginsDir;

    static PluginSet set;

    @BeforeAll
    static void buildAndLoad() throws Exception {
        System.clearProperty(RAN);
        String ev = echoEvent("com.acme");
        plugin("good")
                .version("1.2.3")
                .source("com.acme.EchoEvent", ev)
                .source("com.acme.EchoListener", listener("com.acme", "EchoListener", ""))
                .listeners("com.acme.EchoListener")
                .writeJar(pluginsDir);

        plugin("notpublic")
                .source("com.acme.np.EchoEvent", echoEvent("com.acme.np"))
                .source(
                        "com.acme.np.Hidden",
                        listener("com.acme.np", "Hidden", "").replace("public class Hidden", "class Hidden"))
                .listeners("com.acme.np.Hidden")
                .writeJar(pluginsDir);

        plugin("abstract")
                .source("com.acme.ab.EchoEvent", echoEvent("com.acme.ab"))
                .source(
                        "com.acme.ab.Base",
                        listener("com.acme.ab", "Base", "").replace("public class Base", "public abstract class Base"))
                .listeners("com.acme.ab.Base")
                .writeJar(pluginsDir);

        plugin("noctor")
                .source("com.acme.nc.EchoEvent", echoEvent("com.acme.nc"))
                .source(
                        "com.acme.nc.NeedsArg",
                        listener(
                                "com.acme.nc",
                                "NeedsArg",
                                "    private final String prefix;\n    public NeedsArg(String prefix) { this.prefix = prefix; }"))
                .listeners("com.acme.nc.NeedsArg")
                .writeJar(pluginsDir);

        plugin("inner")
                .source("com.acme.in.EchoEvent", echoEvent("com.acme.in"))
                .source(
                        "com.acme.in.Outer",
                        "package com.acme.in;\n"
                                + "import dev.hark.api.*;\nimport java.util.concurrent.*;\n"
                                + "public class Outer {\n"
                                + "  public class Inner implements EventListener<String, EchoEvent> {\n"
                                + "    public CompletionStage<EchoEvent> pollForEvent(String a, EventContext c) { return null; }\n"
                                + "  }\n"
                                + "}\n")
                .listeners("com.acme.in.Outer$Inner")
                .writeJar(pluginsDir);

        // registered listener with a static initializer that would record that plugin code ran
        plugin("unregistered")
                .source("com.acme.ur.EchoEvent", echoEvent("com.acme.ur"))
                .source(
                        "com.acme.ur.Registered",
                        listener(
                                "com.acme.ur",
                                "Registered",
                                "    static { System.setProperty(\"" + RAN + "\", \"yes\"); }"))
                .source("com.acme.ur.Forgotten", listener("com.acme.ur", "Forgotten", ""))
                .listeners("com.acme.ur.Registered")
                .writeJar(pluginsDir);

        plugin("missing")
                .source("com.acme.mi.EchoEvent", echoEvent("com.acme.mi"))
                .source("com.acme.mi.Present", listener("com.acme.mi", "Present", ""))
                .listeners("com.acme.mi.Present", "com.acme.mi.Ghost")
                .writeJar(pluginsDir);

        plugin("stateful")
                .source("com.acme.st.EchoEvent", echoEvent("com.acme.st"))
                .source("com.acme.st.Counter", listener("com.acme.st", "Counter", "    private int count;"))
                .listeners("com.acme.st.Counter")
                .writeJar(pluginsDir);

        plugin("badargs")
                .source("com.acme.ba.EchoEvent", echoEvent("com.acme.ba"))
                .source(
                        "com.acme.ba.Opaque",
                        "package com.acme.ba;\n"
                                + "public final class Opaque { private final Object handle;\n"
                                + "  private Opaque(Object handle) { this.handle = handle; } }\n")
                .source(
                        "com.acme.ba.OpaqueArgs",
                        "package com.acme.ba;\n"
                                + "import dev.hark.api.*;\nimport java.util.concurrent.*;\n"
                                + "public class OpaqueArgs implements EventListener<Opaque, EchoEvent> {\n"
                                + "  public CompletionStage<EchoEvent> pollForEvent(Opaque a, EventContext c) { return null; }\n"
                                + "}\n")
                .listeners("com.acme.ba.OpaqueArgs")
                .writeJar(pluginsDir);

        plugin("badevent")
                .source(
                        "com.acme.be.BadEvent",
                        "package com.acme.be;\n"
                                + "public final class BadEvent implements dev.hark.api.Event { private final Thread owner;\n"
                                + "  private BadEvent(Thread owner) { this.owner = owner; }\n"
                                + "  public String id() { return \"x\"; } }\n")
                .source(
                        "com.acme.be.BadEvents",
                        "package com.acme.be;\n"
                                + "import dev.hark.api.*;\nimport java.util.concurrent.*;\n"
                                + "public class BadEvents implements EventListener<String, BadEvent> {\n"
                                + "  public CompletionStage<BadEvent> pollForEvent(String a, EventContext c) { return null; }\n"
                                + "}\n")
                .listeners("com.acme.be.BadEvents")
                .writeJar(pluginsDir);

        plugin("throwsstatic")
                .source("com.acme.ts.EchoEvent", echoEvent("com.acme.ts"))
                .source(
                        "com.acme.ts.Explodes",
                        listener(
                                "com.acme.ts",
                                "Explodes",
                                "    static { boom(); }\n"
                                        + "    static void boom() { throw new IllegalStateException(\"boom in static init\"); }"))
                .listeners("com.acme.ts.Explodes")
                .writeJar(pluginsDir);

        plugin("throwsctor")
                .source("com.acme.tc.EchoEvent", echoEvent("com.acme.tc"))
                .source(
                        "com.acme.tc.Refuses",
                        listener(
                                "com.acme.tc",
                                "Refuses",
                                "    public Refuses() { throw new IllegalStateException(\"boom in constructor\"); }"))
                .listeners("com.acme.tc.Refuses")
                .writeJar(pluginsDir);

        // same listener id in two plugins: the first (by name) wins, the second is refused
        for (String name : List.of("dup-a", "dup-b")) {
            plugin(name)
                    .source("com.acme.dup.EchoEvent", echoEvent("com.acme.dup"))
                    .source("com.acme.dup.Same", listener("com.acme.dup", "Same", ""))
                    .listeners("com.acme.dup.Same")
                    .writeJar(pluginsDir);
        }

        // a folder plugin whose second jar is not a zip
        plugin("corrupt")
                .source("com.acme.co.EchoEvent", echoEvent("com.acme.co"))
                .source("com.acme.co.Fine", listener("com.acme.co", "Fine", ""))
                .listeners("com.acme.co.Fine")
                .writeIntoFolder(pluginsDir, "a-fine");
        Files.writeString(
                pluginsDir.resolve("corrupt").resolve("b-broken.jar"),
                "this is not a zip file",
                StandardCharsets.UTF_8);

        set = PluginLoader.load(pluginsDir, false);
    }

    @AfterAll
    static void close() {
        if (set != null) {
            set.close();
        }
    }

    private static PluginProblem onlyProblem(String plugin, String className, String rule) {
        List<PluginProblem> problems = set.problems(plugin);
        assertTrue(set.plugin(plugin).isEmpty(), "plugin '" + plugin + "' must be refused; report:\n" + set.report());
        PluginProblem problem = problems.stream()
                .filter(p -> rule.equals(p.rule()) && (className == null || className.equals(p.className())))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " problem for " + className + " in plugin '"
                        + plugin + "'; report:\n" + set.report()));
        String line = problem.reportLine();
        assertTrue(line.startsWith("plugin '" + plugin + "':"), line);
        if (className != null) {
            assertTrue(line.contains("class " + className + " "), line);
        }
        assertTrue(line.contains(" breaks " + rule + " ("), line);
        assertTrue(line.contains(" — fix: ") && !problem.fix().isBlank(), line);
        return problem;
    }

    @Test
    void theGoodPluginLoadsBesideTheBadOnesWithItsVersion() throws Exception {
        Plugin good = set.plugin("good").orElseThrow(() -> new AssertionError(set.report()));
        assertEquals("1.2.3", good.version());
        assertEquals(pluginsDir.resolve("good.jar"), good.location());
        Class<?> listener = set.listener("com.acme.EchoListener").orElseThrow();
        assertTrue(listener.getClassLoader() instanceof PluginClassLoader);
        assertEquals(listener, set.classLoader().loadClass("com.acme.EchoListener"));
        assertTrue(set.problems("good").isEmpty(), set.report());
    }

    @Test
    void builtInsAreDiscoveredOnTheClassPath() {
        Plugin classpath = set.plugin(PluginLoader.CLASSPATH).orElseThrow();
        assertTrue(classpath.isClasspath());
        assertTrue(classpath.listeners().containsKey("dev.hark.listeners.timer.TimerListener"), classpath.toString());
        assertTrue(classpath.listeners().containsKey("dev.hark.listeners.http.HttpListener"), classpath.toString());
        assertTrue(set.problems(PluginLoader.CLASSPATH).isEmpty(), set.report());
    }

    @Test
    void nonPublicClassBreaksL11() {
        assertTrue(
                onlyProblem("notpublic", "com.acme.np.Hidden", "L1.1").message().contains("not public"));
    }

    @Test
    void abstractClassBreaksL11() {
        assertTrue(onlyProblem("abstract", "com.acme.ab.Base", "L1.1").message().contains("abstract"));
    }

    @Test
    void missingNoArgConstructorBreaksL12() {
        PluginProblem problem = onlyProblem("noctor", "com.acme.nc.NeedsArg", "L1.2");
        assertEquals("add 'public NeedsArg() {}'", problem.fix());
        assertEquals(
                "plugin 'noctor': class com.acme.nc.NeedsArg breaks L1.2 (no public no-arg constructor)"
                        + " — fix: add 'public NeedsArg() {}'",
                problem.reportLine());
    }

    @Test
    void nonStaticInnerClassBreaksL11() {
        assertTrue(onlyProblem("inner", "com.acme.in.Outer$Inner", "L1.1")
                .message()
                .contains("non-static inner"));
    }

    @Test
    void unregisteredImplementerBreaksL13AndNoPluginCodeRunsBeforeTheBytecodeChecksPass() {
        PluginProblem problem = onlyProblem("unregistered", "com.acme.ur.Forgotten", "L1.3");
        assertTrue(problem.fix().contains("META-INF/services/dev.hark.api.EventListener"), problem.fix());
        assertNull(System.getProperty(RAN), "the registered listener's static initializer must not have run");
    }

    @Test
    void serviceEntryNamingAMissingClassBreaksL13() {
        onlyProblem("missing", "com.acme.mi.Ghost", "L1.3");
    }

    @Test
    void nonFinalInstanceFieldBreaksL21() {
        assertTrue(
                onlyProblem("stateful", "com.acme.st.Counter", "L2.1").message().contains("'count'"));
    }

    @Test
    void argumentTypeJacksonCannotReadBreaksL14() {
        assertTrue(onlyProblem("badargs", "com.acme.ba.OpaqueArgs", "L1.4")
                .message()
                .contains("com.acme.ba.Opaque"));
    }

    @Test
    void eventTypeJacksonCannotReadBreaksL15() {
        assertTrue(onlyProblem("badevent", "com.acme.be.BadEvents", "L1.5")
                .message()
                .contains("com.acme.be.BadEvent"));
    }

    @Test
    void throwingStaticInitializerIsCaughtAndBreaksL17() {
        PluginProblem problem = onlyProblem("throwsstatic", "com.acme.ts.Explodes", "L1.7");
        assertTrue(
                problem.message().contains("static initializer")
                        && problem.message().contains("boom in static init"),
                problem.message());
    }

    @Test
    void throwingConstructorIsCaughtAndBreaksL17() {
        PluginProblem problem = onlyProblem("throwsctor", "com.acme.tc.Refuses", "L1.7");
        assertTrue(
                problem.message().contains("constructor") && problem.message().contains("boom in constructor"),
                problem.message());
    }

    @Test
    void duplicateListenerIdAcrossPluginsBreaksL18AndTheFirstKeepsIt() {
        assertTrue(set.plugin("dup-a").isPresent(), set.report());
        assertTrue(set.problems("dup-a").isEmpty(), set.report());
        PluginProblem problem = onlyProblem("dup-b", "com.acme.dup.Same", "L1.8");
        assertTrue(problem.message().contains("plugin 'dup-a'"), problem.message());
        assertEquals(
                "dup-a",
                ((PluginClassLoader)
                                set.listener("com.acme.dup.Same").orElseThrow().getClassLoader())
                        .pluginName());
    }

    @Test
    void corruptJarBreaksL19ForItsPluginOnly() {
        PluginProblem problem = onlyProblem("corrupt", null, "L1.9");
        assertTrue(problem.message().contains("b-broken.jar"), problem.message());
        assertTrue(set.listener("com.acme.co.Fine").isEmpty());
    }

    @Test
    void strictModeThrowsWithTheWholeReport() {
        PluginLoadException e = assertThrows(PluginLoadException.class, () -> PluginLoader.load(pluginsDir, true));
        assertEquals(set.problems().size(), e.problems().size(), e.getMessage());
        for (String rule : List.of("L1.1", "L1.2", "L1.3", "L1.4", "L1.5", "L1.7", "L1.8", "L1.9", "L2.1")) {
            assertTrue(e.getMessage().contains(" breaks " + rule + " ("), rule + " missing from:\n" + e.getMessage());
        }
        assertTrue(e.getMessage().contains(e.report()));
    }

    @Test
    void aFolderWithOnlyGoodPluginsLoadsStrictly(@TempDir Path other) throws Exception {
        Files.copy(pluginsDir.resolve("good.jar"), other.resolve("good.jar"));
        try (PluginSet strict = PluginLoader.load(other, true)) {
            assertTrue(strict.problems().isEmpty(), strict.report());
            assertTrue(strict.listener("com.acme.EchoListener").isPresent());
        }
    }

    @Test
    void aMissingPluginsFolderIsNoError(@TempDir Path tmp) {
        try (PluginSet empty = PluginLoader.load(tmp.resolve("no-such-folder"), true)) {
            assertEquals(
                    List.of(PluginLoader.CLASSPATH),
                    empty.plugins().stream().map(Plugin::name).toList());
            assertFalse(empty.listeners().isEmpty(), "the built-ins are still there");
        }
    }
}
