package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.listener;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.Event;
import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.Await;
import dev.hark.workflow.Dag;
import dev.hark.workflow.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins that would take the server down: exits, hangs at load, missing jars, static state, the
 * wrong context class loader, plugin folders behind symbolic links. Every jar is built in the test.
 */
class PluginSafetyTest {

    private static final String TCCL = "hark.test.plugin-tccl";

    @AfterEach
    void clear() {
        System.clearProperty(PluginValidator.LOAD_TIMEOUT_PROPERTY);
        System.clearProperty(TCCL);
    }

    @Test
    void callsToSystemExitRuntimeExitAndHaltAreRefusedByBytecodeBeforeAnyPluginCodeRuns(@TempDir Path dir)
            throws Exception {
        plugin("exits")
                .source("com.acme.ex.EchoEvent", echoEvent("com.acme.ex"))
                .source("com.acme.ex.Exits", listener("com.acme.ex", "Exits", "    public Exits() { System.exit(3); }"))
                .listeners("com.acme.ex.Exits")
                .writeJar(dir);
        plugin("halts")
                .source("com.acme.ha.EchoEvent", echoEvent("com.acme.ha"))
                .source(
                        "com.acme.ha.Helper",
                        "package com.acme.ha;\n"
                                + "final class Helper { static void stop() { Runtime.getRuntime().halt(3); } }\n")
                .source("com.acme.ha.Fine", listener("com.acme.ha", "Fine", ""))
                .listeners("com.acme.ha.Fine")
                .writeJar(dir);
        plugin("runtime-exit")
                .source(
                        "com.acme.re.Flow",
                        "package com.acme.re;\n"
                                + "import dev.hark.workflow.*;\nimport java.util.Map;\n"
                                + "public class Flow implements WorkflowDefinition {\n"
                                + "  public String name() { Runtime.getRuntime().exit(3); return \"x\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) { return Dag.value(\"x\"); }\n"
                                + "}\n")
                .definitions("com.acme.re.Flow")
                .writeJar(dir);
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertRefused(set, "exits", "com.acme.ex.Exits", "L1.12", "System.exit");
            assertRefused(set, "halts", "com.acme.ha.Helper", "L1.12", "Runtime.halt");
            assertRefused(set, "runtime-exit", "com.acme.re.Flow", "L1.12", "Runtime.exit");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void pluginCodeThatHangsAtLoadIsRefusedWithWhereItHungAndTheOthersLoad(@TempDir Path dir) throws Exception {
        System.setProperty(PluginValidator.LOAD_TIMEOUT_PROPERTY, "500");
        plugin("good")
                .source("com.acme.go.EchoEvent", echoEvent("com.acme.go"))
                .source("com.acme.go.Echo", listener("com.acme.go", "Echo", ""))
                .listeners("com.acme.go.Echo")
                .writeJar(dir);
        plugin("loops")
                .source("com.acme.lo.EchoEvent", echoEvent("com.acme.lo"))
                .source(
                        "com.acme.lo.Looper",
                        listener(
                                "com.acme.lo",
                                "Looper",
                                "    public Looper() { while (true) { Thread.onSpinWait(); } }"))
                .listeners("com.acme.lo.Looper")
                .writeJar(dir);
        plugin("static-sleeps")
                .source("com.acme.ss.EchoEvent", echoEvent("com.acme.ss"))
                .source(
                        "com.acme.ss.Sleeper",
                        listener(
                                "com.acme.ss",
                                "Sleeper",
                                "    static { sleep(); }\n"
                                        + "    static void sleep() { try { Thread.sleep(600_000); } catch (InterruptedException e) {"
                                        + " throw new IllegalStateException(e); } }"))
                .listeners("com.acme.ss.Sleeper")
                .writeJar(dir);
        plugin("name-blocks")
                .source(
                        "com.acme.nb.Flow",
                        "package com.acme.nb;\n"
                                + "import dev.hark.workflow.*;\nimport java.util.Map;\n"
                                + "public class Flow implements WorkflowDefinition {\n"
                                + "  public String name() { Object o = new Object(); synchronized (o) { try { o.wait(); }"
                                + " catch (InterruptedException e) { } } return \"late\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) { return Dag.value(\"x\"); }\n"
                                + "}\n")
                .definitions("com.acme.nb.Flow")
                .writeJar(dir);
        long start = System.nanoTime();
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertTrue(set.plugin("good").isPresent(), set.report());
            assertRefused(set, "loops", "com.acme.lo.Looper", "L1.7", "Looper.<init>");
            assertRefused(set, "static-sleeps", "com.acme.ss.Sleeper", "L1.7", "Sleeper.<clinit>");
            assertRefused(set, "name-blocks", "com.acme.nb.Flow", "L1.10", "Flow.name");
            assertTrue(set.problems("loops").get(0).message().contains("within 500 ms"), set.report());
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "load waited for stuck plugin code");
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("hark-plugin-load-")) {
                assertTrue(thread.isDaemon(), thread + " must be a daemon, or a stuck plugin keeps the JVM alive");
            }
        }
    }

    @Test
    void aClassMissingFromThePluginIsNamedWithTheFixToBundleItsJar(@TempDir Path dir) throws Exception {
        plugin("unbundled")
                .source("com.acme.lib.Client", "package com.acme.lib;\npublic final class Client {}\n")
                .source("com.acme.ub.EchoEvent", echoEvent("com.acme.ub"))
                .source(
                        "com.acme.ub.UsesClient",
                        listener(
                                "com.acme.ub",
                                "UsesClient",
                                "    private final Object client;\n"
                                        + "    public UsesClient() { client = new com.acme.lib.Client(); }"))
                .listeners("com.acme.ub.UsesClient")
                .omit("com.acme.lib.Client")
                .writeJar(dir);
        plugin("unbundled-base")
                .source("com.acme.lib2.Base", "package com.acme.lib2;\npublic abstract class Base {}\n")
                .source("com.acme.ub2.EchoEvent", echoEvent("com.acme.ub2"))
                .source(
                        "com.acme.ub2.Derived",
                        listener("com.acme.ub2", "Derived", "")
                                .replace("public class Derived", "public class Derived extends com.acme.lib2.Base"))
                .listeners("com.acme.ub2.Derived")
                .omit("com.acme.lib2.Base")
                .writeJar(dir);
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertTrue(set.plugin("unbundled-base").isEmpty(), set.report());
            assertTrue(
                    set.problems("unbundled-base").stream()
                            .anyMatch(p -> p.fix()
                                    .contains("bundle the jar that holds com.acme.lib2.Base in the plugin folder")),
                    set.report());
            assertRefused(set, "unbundled", "com.acme.ub.UsesClient", "L1.7", "com.acme.lib.Client");
            PluginProblem problem = set.problems("unbundled").get(0);
            assertTrue(
                    problem.fix().contains("bundle the jar that holds com.acme.lib.Client in the plugin folder"),
                    problem.reportLine());
            assertTrue(!problem.fix().contains("lazily"), problem.reportLine());
        }
    }

    @Test
    void nonFinalStaticFieldsRefuseAListenerAndFinalStaticMutableContainersAreWarnedAbout(@TempDir Path dir)
            throws Exception {
        plugin("counter")
                .source("com.acme.co.EchoEvent", echoEvent("com.acme.co"))
                .source("com.acme.co.Counter", listener("com.acme.co", "Counter", "    private static int polls;"))
                .listeners("com.acme.co.Counter")
                .writeJar(dir);
        plugin("cache")
                .source("com.acme.ca.EchoEvent", echoEvent("com.acme.ca"))
                .source(
                        "com.acme.ca.Cached",
                        listener(
                                "com.acme.ca",
                                "Cached",
                                "    private static final java.util.Map<String, String> CACHE = new java.util.HashMap<>();\n"
                                        + "    private static final java.util.concurrent.atomic.AtomicLong SEEN ="
                                        + " new java.util.concurrent.atomic.AtomicLong();\n"
                                        + "    private static final String CONSTANT = \"fine\";\n"
                                        + "    private static final org.slf4j.Logger LOG = null;"))
                .listeners("com.acme.ca.Cached")
                .writeJar(dir);
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertRefused(set, "counter", "com.acme.co.Counter", "L2.1", "static field 'polls'");
            assertTrue(set.plugin("cache").isPresent(), set.report());
            assertEquals(1, set.warnings().size(), set.warnings().toString());
            PluginProblem warning = set.warnings().get(0);
            assertEquals("L2.1", warning.rule());
            assertEquals("com.acme.ca.Cached", warning.className());
            assertTrue(warning.message().contains("'CACHE', 'SEEN'"), warning.reportLine());
        }
    }

    @Test
    void thePluginLoaderIsTheContextClassLoaderAtLoadAndDuringPollAndTheParentIsThePlatformLoader(
            @TempDir Path dir, @TempDir Path dataDir) throws Exception {
        String check = "(Thread.currentThread().getContextClassLoader() == getClass().getClassLoader())";
        plugin("tccl")
                .source("com.acme.tc.EchoEvent", echoEvent("com.acme.tc"))
                .source(
                        "com.acme.tc.Tccl",
                        "package com.acme.tc;\n"
                                + "import dev.hark.api.*;\nimport java.util.concurrent.*;\n"
                                + "public class Tccl implements EventListener<String, EchoEvent> {\n"
                                + "  public Tccl() { System.setProperty(\"" + TCCL + "\", \"init=\" + " + check
                                + "); }\n"
                                + "  public CompletionStage<EchoEvent> pollForEvent(String args, EventContext context) {\n"
                                + "    System.setProperty(\"" + TCCL + "\", System.getProperty(\"" + TCCL
                                + "\") + \",poll=\" + " + check + ");\n"
                                + "    return CompletableFuture.completedFuture(new EchoEvent(\"e-\" + args, args));\n"
                                + "  }\n"
                                + "  public CompletionStage<Void> eventCheckpointed(EchoEvent event, EventContext context) {\n"
                                + "    System.setProperty(\"" + TCCL + "\", System.getProperty(\"" + TCCL
                                + "\") + \",commit=\" + " + check + ");\n"
                                + "    return CompletableFuture.completedFuture(null);\n"
                                + "  }\n"
                                + "}\n")
                .source(
                        "com.acme.tc.Steps",
                        "package com.acme.tc;\n"
                                + "public final class Steps {\n"
                                + "  public static String tccl(String in) {\n"
                                + "    return in + \"=\" + (Thread.currentThread().getContextClassLoader() == Steps.class.getClassLoader());\n"
                                + "  }\n"
                                + "}\n")
                .source(
                        "com.acme.tc.Flow",
                        "package com.acme.tc;\n"
                                + "import dev.hark.workflow.*;\nimport java.util.Map;\n"
                                + "public class Flow implements WorkflowDefinition {\n"
                                + "  public String name() { return \"tccl-flow\"; }\n"
                                + "  public Node<?> build(Map<String, Object> input) {\n"
                                + "    return Dag.task(Steps::tccl).bind(Dag.value(\"task\"));\n"
                                + "  }\n"
                                + "}\n")
                .listeners("com.acme.tc.Tccl")
                .definitions("com.acme.tc.Flow")
                .writeJar(dir);
        try (PluginSet set = PluginLoader.load(dir, true)) {
            assertEquals("init=true", System.getProperty(TCCL));
            ClassLoader loader = set.plugin("tccl").orElseThrow().classLoader();
            assertSame(ClassLoader.getPlatformClassLoader(), loader.getParent());
            try (Hark hark = Hark.builder()
                    .dataDir(dataDir)
                    .classLoader(set.classLoader())
                    .open()) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                Node<Object> wait = Dag.waitForEvent(
                        (Class) set.listener("com.acme.tc.Tccl").orElseThrow(), "x");
                Object event = hark.run(wait, "tccl-1");
                assertEquals("e-x", ((Event) event).id());
                Node<?> flow = set.definition("tccl-flow").orElseThrow().build(Map.of());
                assertEquals("task=true", hark.run(flow, "tccl-2"), "a task function runs with its plugin's loader");
                Await.until(
                        () -> String.valueOf(System.getProperty(TCCL)).contains("commit="),
                        () -> "the event was never committed: " + System.getProperty(TCCL));
            }
            String seen = System.getProperty(TCCL);
            assertTrue(seen.matches("init=true(,init=true)*,poll=true,commit=true"), seen);
        }
    }

    @Test
    void aSymbolicallyLinkedPluginFolderLoadsAndALinkCycleInsideItDoesNotHang(
            @TempDir Path elsewhere, @TempDir Path dir) throws Exception {
        plugin("linked")
                .source("com.acme.li.EchoEvent", echoEvent("com.acme.li"))
                .source("com.acme.li.Echo", listener("com.acme.li", "Echo", ""))
                .listeners("com.acme.li.Echo")
                .writeIntoFolder(elsewhere, "main");
        Files.createSymbolicLink(elsewhere.resolve("linked").resolve("loop"), elsewhere.resolve("linked"));
        Files.createSymbolicLink(dir.resolve("linked"), elsewhere.resolve("linked"));
        try (PluginSet set = PluginLoader.load(dir, false)) {
            assertTrue(set.problems().isEmpty(), set.report());
            assertTrue(set.listener("com.acme.li.Echo").isPresent(), set.report());
        }
        try (PluginSet set = PluginLoader.check(dir.resolve("linked"))) {
            assertTrue(set.problems().isEmpty(), set.report());
            assertEquals(1, set.plugin("linked").orElseThrow().listeners().size());
        }
    }

    @Test
    void checkRefusesWhatIsNotAPlugin(@TempDir Path dir) throws Exception {
        Path zip = Files.writeString(dir.resolve("x.zip"), "not a jar");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        Files.writeString(corrupt.resolve("broken.jar"), "not a zip");
        for (Path path : new Path[] {zip, empty, corrupt}) {
            try (PluginSet set = PluginLoader.check(path)) {
                assertEquals(1, set.problems().size(), path + ": " + set.report());
                assertEquals("L1.9", set.problems().get(0).rule(), set.report());
                assertNull(set.plugins().stream()
                        .filter(p -> !p.name().equals(PluginLoader.CLASSPATH))
                        .findFirst()
                        .orElse(null));
            }
        }
    }

    private static void assertRefused(PluginSet set, String plugin, String className, String rule, String text) {
        assertTrue(set.plugin(plugin).isEmpty(), set.report());
        assertTrue(
                set.problems(plugin).stream()
                        .anyMatch(p -> p.rule().equals(rule)
                                && className.equals(p.className())
                                && p.reportLine().contains(text)),
                set.report());
    }
}
