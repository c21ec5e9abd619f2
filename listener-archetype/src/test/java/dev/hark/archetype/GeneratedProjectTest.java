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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                "target/plugin/acme-inbox-listener",
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
            // a jar's plugin name leaves out the trailing -<version> of its manifest
            String name = "acme-inbox-listener";
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

    // ---- the plugin folder the generated build makes ----

    @Test
    void theGeneratedBuildMadeAReadyPluginFolderThatLoadsUnderItsName(@TempDir Path plugins) throws Exception {
        Path folder = PROJECT.resolve("target/plugin/acme-inbox-listener");
        assertEquals(List.of(JAR.getFileName().toString()), fileNames(folder), "the plugin folder " + folder);
        copyTree(folder, plugins.resolve("acme-inbox-listener"));
        try (PluginSet loaded = PluginLoader.load(plugins, true)) {
            Plugin plugin = loaded.plugin("acme-inbox-listener")
                    .orElseThrow(() -> new AssertionError("plugin not loaded: " + loaded.plugins()));
            assertTrue(
                    plugin.listeners().containsKey(LISTENER), plugin.listeners().toString());
        }
    }

    @Test
    void theLibrariesOfTheListenerAreBundledAndWhatTheRuntimeSharesIsNot(@TempDir Path copy) throws Exception {
        copyTree(PROJECT, copy, "target");
        Path pom = copy.resolve("pom.xml");
        String marker = "    <!-- provided: the runtime supplies the api";
        String text = read(pom);
        assertTrue(text.contains(marker), "the generated pom changed; adjust this test");
        Files.writeString(pom, text.replace(marker, """
                            <dependency>
                              <groupId>org.slf4j</groupId>
                              <artifactId>slf4j-api</artifactId>
                              <version>${slf4j.version}</version>
                            </dependency>
                            <dependency>
                              <groupId>dev.hark</groupId>
                              <artifactId>hark-workflow-api</artifactId>
                            </dependency>
                        """ + marker), StandardCharsets.UTF_8);
        Process build = maven(copy, "package", "-DskipTests");
        String log = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(build.waitFor(5, TimeUnit.MINUTES), "mvn package did not finish");
        assertEquals(0, build.exitValue(), "mvn package failed:\n" + log);

        List<String> bundled = fileNames(copy.resolve("target/plugin/acme-inbox-listener"));
        assertTrue(bundled.contains(JAR.getFileName().toString()), "no listener jar: " + bundled);
        assertTrue(bundled.stream().anyMatch(f -> f.startsWith("slf4j-api-")), "library not bundled: " + bundled);
        List<String> shared = bundled.stream()
                .filter(f -> f.startsWith("hark-") || f.startsWith("jackson-annotations-"))
                .toList();
        assertEquals(List.of(), shared, "bundles what the runtime shares with every plugin");
    }

    // ---- the README's five minutes, as a newcomer types them ----

    @Test
    void theReadmesGenerateCommandPinsTheArchetypePluginAndRunsOffline(@TempDir Path work) throws Exception {
        String section = fiveMinutes();
        String command = command(section, "mvn org.apache.maven.plugins:maven-archetype-plugin:");
        assertTrue(
                command.startsWith("mvn org.apache.maven.plugins:maven-archetype-plugin:"
                        + required("archetype.version") + ":generate "),
                "the README must pin the archetype plugin the SDK builds with: " + command);
        assertTrue(command.contains(" -DarchetypeCatalog=local"), "the README must use the local catalog: " + command);
        assertTrue(
                command.contains(" -DarchetypeVersion=" + required("hark.version") + " "),
                "archetype version: " + command);
        assertTrue(section.contains("mkdir -p \"$HARK/plugins\""), "the README must make the plugins folder");

        List<String> args = new ArrayList<>(List.of(command.split("\\s+")));
        args.remove(0); // mvn
        Process generate = maven(work, args.toArray(String[]::new));
        String log = new String(generate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(generate.waitFor(5, TimeUnit.MINUTES), "archetype:generate did not finish");
        assertEquals(0, generate.exitValue(), "the README's archetype:generate failed offline:\n" + log);
        assertTrue(
                read(work.resolve("inbox-listener/pom.xml")).contains("<artifactId>inbox-listener</artifactId>"),
                "no inbox-listener project generated");
    }

    @Test
    void theReadmeShowsWhatPluginsCheckPrintsAndWhereTheJarIs(@TempDir Path hark) throws Exception {
        String section = fiveMinutes();
        Path harkJar = Path.of(required("hark.jar"));
        assertTrue(Files.isRegularFile(harkJar), "no " + harkJar + " (build the distribution module)");
        String check = command(section, "java -jar ");
        assertTrue(
                check.startsWith("java -jar \"$HARK/distribution/target/hark.jar\" plugins check "),
                "the README must run the jar the build makes: " + check);
        String generatedReadme = read(PROJECT.resolve("README.md"));
        assertTrue(
                generatedReadme.contains("\"$HARK/distribution/target/hark.jar\""), "the generated README's jar path");
        assertFalse(generatedReadme.contains("/path/to/hark"), "the generated README names a made-up path");

        Path folder = hark.resolve("plugins/acme-inbox-listener");
        copyTree(PROJECT.resolve("target/plugin/acme-inbox-listener"), folder);
        Process run = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        harkJar.toString(),
                        "plugins",
                        "check",
                        folder.toString())
                .redirectErrorStream(true)
                .start();
        String printed = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, run.exitValue(), printed);

        Matcher shown = Pattern.compile(
                        "(?s)`plugins check` prints\\s+one\\s+line\\s+and\\s+exits\\s+0:\\s*```\\n(.*?)```")
                .matcher(section);
        assertTrue(shown.find(), "the README does not show what plugins check prints");
        String expected = shown.group(1).replace("/…/plugins/inbox-listener", folder.toString());
        assertEquals(expected, printed.replace(System.lineSeparator(), "\n"), "what the README shows");
        assertTrue(
                generatedReadme.contains(
                        "`…/plugins/acme-inbox-listener: OK, 1 listener(s), 0 workflow definition(s)`"),
                "the generated README shows what plugins check prints");
    }

    private static String fiveMinutes() {
        String readme = read(Path.of(required("readme")));
        int start = readme.indexOf("## Write a listener in five minutes");
        int end = readme.indexOf("\n## ", start + 1);
        assertTrue(start >= 0 && end > start, "no five-minute section in the README");
        return readme.substring(start, end);
    }

    /** The shell command of a README block that starts with {@code prefix}, its continuation lines joined. */
    private static String command(String section, String prefix) {
        int at = section.indexOf("\n" + prefix);
        assertTrue(at >= 0, "the README has no command starting with " + prefix);
        StringBuilder joined = new StringBuilder();
        for (String line : section.substring(at + 1).split("\n")) {
            String stripped = line.strip();
            if (stripped.endsWith("\\")) {
                joined.append(stripped, 0, stripped.length() - 1).append(' ');
            } else {
                joined.append(stripped.replaceFirst("\\s+#.*$", ""));
                break;
            }
        }
        return joined.toString().replaceAll("\\s+", " ").strip();
    }

    /** Maven, offline, on the IT repository (the SDK of this build and what it needs), as after `mvn install`. */
    private static Process maven(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(required("maven.home"), "bin", "mvn").toString(),
                "-o",
                "-B",
                "-s",
                required("it.settings"),
                "-Dmaven.repo.local=" + required("it.repo")));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
    }

    private static List<String> fileNames(Path folder) throws IOException {
        assertTrue(Files.isDirectory(folder), "no folder " + folder);
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to, String... skip) throws IOException {
        List<String> skipped = List.of(skip);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path relative = from.relativize(file);
                if (relative.getNameCount() > 0
                        && skipped.contains(relative.getName(0).toString())) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
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
