package dev.hark.archetype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.api.EventListener;
import dev.hark.runtime.cli.HarkCommand;
import dev.hark.runtime.plugin.Plugin;
import dev.hark.runtime.plugin.PluginLoader;
import dev.hark.runtime.plugin.PluginSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs at {@code verify}, after {@code archetype:integration-test} generated the project of
 * {@code src/test/resources/projects/basic} and ran its {@code mvn verify} (its TCK test included):
 * checks the generated tree and pom, and that the runtime discovers and validates the jar it built
 * when it is dropped into a plugins folder.
 */
class GeneratedProjectTest {

    private static final Path PROJECT = Path.of(required("generated.project"));
    private static final Path JAR = Path.of(required("generated.jar"));
    private static final String LISTENER = "com.acme.hark.inbox.InboxListener";

    @Test
    void theGeneratedTreeHasTheListenerItsServiceEntryItsTckTestAndAReadme() throws IOException {
        List<String> expected = List.of(
                "pom.xml",
                "README.md",
                "src/main/java/com/acme/hark/inbox/InboxListener.java",
                "src/main/java/com/acme/hark/inbox/InboxListenerEvent.java",
                "src/main/resources/META-INF/services/dev.hark.api.EventListener",
                "src/test/java/com/acme/hark/inbox/InboxListenerVerificationTest.java",
                "src/test/resources/junit-platform.properties");
        for (String file : expected) {
            assertTrue(Files.isRegularFile(PROJECT.resolve(file)), "generated project lacks " + file);
        }
        try (Stream<Path> files = Files.walk(PROJECT.resolve("src"))) {
            List<String> unexpanded = files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("__")
                            || read(f).contains("${listenerName}")
                            || read(f).contains("${package}"))
                    .map(Path::toString)
                    .collect(Collectors.toList());
            assertEquals(List.of(), unexpanded, "archetype properties left unexpanded");
        }
        assertEquals(
                LISTENER,
                read(PROJECT.resolve("src/main/resources/META-INF/services/dev.hark.api.EventListener"))
                        .strip());
        String readme = read(PROJECT.resolve("README.md"));
        assertTrue(readme.startsWith("# acme-inbox-listener"), "README title");
        for (String section : List.of(
                "## Build",
                "## Prove",
                "## Install",
                "mvn verify",
                "target/acme-inbox-listener-1.0.0-SNAPSHOT.jar",
                "plugins check")) {
            assertTrue(readme.contains(section), "README lacks " + section);
        }
    }

    @Test
    void theGeneratedPomImportsTheBomOfThisBuildWithApiProvidedAndTckTest() {
        String pom = read(PROJECT.resolve("pom.xml"));
        assertFalse(pom.contains("@"), "an unfiltered @token@ in the generated pom");
        String sdkVersion = required("hark.version");
        assertTrue(pom.contains("<hark.version>" + sdkVersion + "</hark.version>"), "SDK version not baked in");
        assertTrue(pom.contains("<jqwik.version>" + required("jqwik.version") + "</jqwik.version>"), "jqwik version");
        assertTrue(pom.contains("<junit.version>" + required("junit.version") + "</junit.version>"), "junit version");
        assertTrue(
                pom.matches("(?s).*<artifactId>hark-bom</artifactId>\\s*<version>\\$\\{hark.version}</version>"
                        + "\\s*<type>pom</type>\\s*<scope>import</scope>.*"),
                "hark-bom must be imported at the SDK's version");
        // Hark's artifacts take their versions from the BOM only, so that one property moves them all.
        assertTrue(
                pom.matches("(?s).*<artifactId>hark-api</artifactId>\\s*<scope>provided</scope>.*"),
                "hark-api must be provided, its version from hark-bom");
        assertTrue(
                pom.matches("(?s).*<artifactId>hark-tck</artifactId>\\s*<scope>test</scope>.*"),
                "hark-tck must be test, its version from hark-bom");
        assertTrue(pom.contains("<groupId>com.acme.hark</groupId>")
                && pom.contains("<artifactId>acme-inbox-listener</artifactId>"));
    }

    @Test
    void theGeneratedBuildRanTheTckAndItPassed() throws IOException {
        Path report =
                PROJECT.resolve("target/surefire-reports/TEST-com.acme.hark.inbox.InboxListenerVerificationTest.xml");
        assertTrue(Files.isRegularFile(report), "the generated project's TCK test did not run: no " + report);
        String xml = read(report);
        assertTrue(
                xml.contains("failures=\"0\"") && xml.contains("errors=\"0\""),
                "the generated TCK test failed: " + report);
        assertFalse(xml.contains(" tests=\"0\""), "the generated TCK test ran no tests");
    }

    @Test
    void theRuntimeDiscoversAndValidatesTheGeneratedJarInAPluginsFolder(@TempDir Path plugins) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the generated project built no jar: " + JAR);
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertTrue(
                    jar.stream().noneMatch(e -> e.getName().startsWith("dev/hark/")),
                    "the plugin bundles Hark classes");
        }
        Files.copy(JAR, plugins.resolve(JAR.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);

        try (PluginSet loaded = PluginLoader.load(plugins, true)) {
            assertEquals(List.of(), loaded.problems(), "the runtime refused the generated plugin");
            String name = JAR.getFileName().toString().replaceFirst("\\.jar$", "");
            Plugin plugin =
                    loaded.plugin(name).orElseThrow(() -> new AssertionError("plugin " + name + " not discovered"));
            assertEquals(
                    "1.0.0-SNAPSHOT", plugin.implementationVersion().orElse(null), "plugin version from the manifest");
            Map<String, Class<? extends EventListener<?, ?>>> listeners = plugin.listeners();
            assertTrue(
                    listeners.values().stream().anyMatch(c -> c.getName().equals(LISTENER)),
                    "listener not discovered: " + listeners);
        }
    }

    @Test
    void harkPluginsCheckPassesTheGeneratedJar() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HarkCommand.execute(
                new PrintWriter(out, true), new PrintWriter(err, true), "plugins", "check", JAR.toString());
        assertEquals(0, exit, "hark plugins check refused the generated jar:\n" + out + err);
        assertTrue(out.toString().contains("OK, 1 listener(s)"), out.toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " not set (run through mvn verify)");
        }
        return value;
    }
}
