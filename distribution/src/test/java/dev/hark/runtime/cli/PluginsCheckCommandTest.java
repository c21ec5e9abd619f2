package dev.hark.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.plugin.TestPlugins;
import dev.hark.runtime.testing.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hark plugins check} runs the loader's own checks; {@code hark serve} survives bad plugins. */
class PluginsCheckCommandTest {

    @TempDir
    static Path dir;

    static Path folderPlugin;
    static Path exiting;
    static Path looping;

    @BeforeAll
    static void build() throws Exception {
        String pkg = "com.acme.chk";
        folderPlugin = TestPlugins.plugin("folder")
                .source(pkg + ".EchoEvent", TestPlugins.echoEvent(pkg))
                .source(pkg + ".Echo", TestPlugins.listener(pkg, "Echo", ""))
                .listeners(pkg + ".Echo")
                .writeIntoFolder(dir.resolve("src"), "main")
                .getParent();
        exiting = TestPlugins.plugin("exiting")
                .source("com.acme.exi.EchoEvent", TestPlugins.echoEvent("com.acme.exi"))
                .source(
                        "com.acme.exi.Exits",
                        TestPlugins.listener("com.acme.exi", "Exits", "    public Exits() { System.exit(3); }"))
                .listeners("com.acme.exi.Exits")
                .writeJar(dir.resolve("jars"));
        looping = TestPlugins.plugin("looping")
                .source("com.acme.lop.EchoEvent", TestPlugins.echoEvent("com.acme.lop"))
                .source(
                        "com.acme.lop.Loops",
                        TestPlugins.listener(
                                "com.acme.lop",
                                "Loops",
                                "    public Loops() { while (true) { Thread.onSpinWait(); } }"))
                .listeners("com.acme.lop.Loops")
                .writeJar(dir.resolve("jars"));
    }

    private static int check(StringWriter out, StringWriter err, Path plugin) {
        return HarkCommand.execute(
                new PrintWriter(out, true), new PrintWriter(err, true), "plugins", "check", plugin.toString());
    }

    @Test
    void aPluginFolderAndALinkToItAreCheckedLikeTheLoaderDoes() throws Exception {
        StringWriter out = new StringWriter();
        assertEquals(ExitCodes.OK, check(out, new StringWriter(), folderPlugin), out.toString());
        assertTrue(out.toString().contains("OK, 1 listener(s), 0 workflow definition(s)"), out.toString());

        Path link = Files.createSymbolicLink(dir.resolve("link-" + System.nanoTime()), folderPlugin);
        out = new StringWriter();
        assertEquals(ExitCodes.OK, check(out, new StringWriter(), link), out.toString());
        assertTrue(out.toString().contains("OK, 1 listener(s)"), out.toString());
    }

    @Test
    void aPluginOfManyJarsReportsProgressOnStderrAndKeepsStdoutToTheReport() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        try (var jars = Files.list(folderPlugin)) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, many.resolve(jar.getFileName()));
            }
        }
        for (int i = 0; i < 24; i++) { // 25 jars: more than JarProgress.QUIET_UP_TO
            try (JarOutputStream jar =
                    new JarOutputStream(Files.newOutputStream(many.resolve(String.format("lib-%02d.jar", i))))) {
                jar.putNextEntry(new JarEntry("lib/readme-" + i + ".txt"));
                jar.write(("library " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.OK, check(out, err, many), out + "" + err);
        assertEquals(
                List.of(many + ": OK, 1 listener(s), 0 workflow definition(s)"),
                out.toString().lines().toList());
        assertEquals(
                List.of(
                        "hark: plugin 'many': read 10 of 25 jars",
                        "hark: plugin 'many': read 20 of 25 jars",
                        "hark: plugin 'many': read 25 of 25 jars; checking their classes"),
                err.toString().lines().toList());

        // a plugin of few jars off a terminal: quiet; on one: a line when its jars are read
        err = new StringWriter();
        assertEquals(ExitCodes.OK, check(new StringWriter(), err, folderPlugin));
        assertEquals("", err.toString());
        StringWriter watched = new StringWriter();
        JarProgress onTerminal = new JarProgress(new PrintWriter(watched, true), true);
        for (int read = 1; read <= 3; read++) {
            onTerminal.jarRead("few", read, 3);
        }
        assertEquals(
                List.of("hark: plugin 'few': read 3 of 3 jars; checking their classes"),
                watched.toString().lines().toList());
    }

    @Test
    void aPluginThatCallsSystemExitIsRefusedWithItsOwnExitCode() {
        StringWriter out = new StringWriter();
        assertEquals(ExitCodes.PLUGIN_REFUSED, check(out, new StringWriter(), exiting), out.toString());
        assertTrue(out.toString().contains("class com.acme.exi.Exits breaks L1.12 (calls System.exit"), out.toString());
        assertTrue(ExitCodes.PLUGIN_REFUSED != ExitCodes.UNREACHABLE);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPluginThatHangsAtLoadIsRefusedInsteadOfHangingTheCheck() {
        System.setProperty("hark.plugins.load-timeout-ms", "500");
        try {
            StringWriter out = new StringWriter();
            assertEquals(ExitCodes.PLUGIN_REFUSED, check(out, new StringWriter(), looping), out.toString());
            assertTrue(
                    out.toString().contains("breaks L1.7 (loading it did not finish within 500 ms")
                            && out.toString().contains("Loops.<init>"),
                    out.toString());
        } finally {
            System.clearProperty("hark.plugins.load-timeout-ms");
        }
    }

    @Test
    void whatIsNotAPluginIsRefusedWithAMessage() throws Exception {
        Path zip = Files.writeString(dir.resolve("x.zip"), "PK? not really");
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");
        Path corruptFolder = Files.createDirectories(dir.resolve("corrupt"));
        Files.writeString(corruptFolder.resolve("broken.jar"), "not a zip");
        Path corruptJar = Files.writeString(dir.resolve("broken.jar"), "not a zip");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        for (Path path : new Path[] {zip, text}) {
            StringWriter out = new StringWriter();
            assertEquals(ExitCodes.PLUGIN_REFUSED, check(out, new StringWriter(), path), out.toString());
            assertTrue(out.toString().contains("is neither a .jar file nor a folder"), out.toString());
        }
        for (Path path : new Path[] {corruptFolder, corruptJar}) {
            StringWriter out = new StringWriter();
            assertEquals(ExitCodes.PLUGIN_REFUSED, check(out, new StringWriter(), path), out.toString());
            assertTrue(out.toString().contains("breaks L1.9 (cannot read jar"), out.toString());
        }
        StringWriter out = new StringWriter();
        assertEquals(ExitCodes.PLUGIN_REFUSED, check(out, new StringWriter(), empty), out.toString());
        assertTrue(out.toString().contains("holds no .jar files"), out.toString());

        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.USAGE, check(new StringWriter(), err, dir.resolve("missing.jar")));

        // plugins list shows the unreadable jar's row with "-" where no class could be named
        StringWriter listed = new StringWriter();
        HarkCommand.execute(
                new PrintWriter(listed, true),
                new PrintWriter(new StringWriter(), true),
                "plugins",
                "list",
                "--plugins",
                corruptFolder.toString());
        String row = listed.toString()
                .lines()
                .filter(line -> line.startsWith("broken "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for broken.jar: " + listed));
        assertTrue(row.contains("refused: L1.9"), row);
        assertFalse(row.contains("null"), row);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void serveStartsWithAnExitingAndAHangingPluginRefusedAndALinkedPluginFolderLoaded(
            @TempDir Path plugins, @TempDir Path data, @TempDir Path logs) throws Exception {
        Files.copy(exiting, plugins.resolve("exiting.jar"));
        Files.copy(looping, plugins.resolve("looping.jar"));
        Files.createSymbolicLink(plugins.resolve("folder"), folderPlugin);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = logs.resolve("serve.out");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-Dhark.plugins.load-timeout-ms=500",
                        "-cp",
                        TestPlugins.classPath(),
                        HarkCommand.class.getName(),
                        "serve",
                        "--data",
                        data.toString(),
                        "--plugins",
                        plugins.toString(),
                        "--port",
                        "0")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            // until serve listens, or gives up: a serve that exits has answered, and the answer is wrong
            String text = Await.value(
                    Duration.ofSeconds(60),
                    () -> Files.exists(log) ? Files.readString(log) : "",
                    output -> output.contains("Listening on") || !process.isAlive(),
                    output -> "serve never listened: " + output);
            assertTrue(
                    text.contains("Listening on"),
                    "serve exited with " + (process.isAlive() ? "-" : process.exitValue()) + ": " + text);
            assertTrue(text.contains("com.acme.exi.Exits") && text.contains("L1.12"), text);
            assertTrue(text.contains("com.acme.lop.Loops") && text.contains("L1.7"), text);
            assertTrue(text.contains("com.acme.chk.Echo"), "the linked plugin folder loads: " + text);
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
