package dev.hark.runtime.plugin;

import static dev.hark.runtime.plugin.TestPlugins.echoEvent;
import static dev.hark.runtime.plugin.TestPlugins.listener;
import static dev.hark.runtime.plugin.TestPlugins.plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single-jar plugin is named after its file without {@code .jar} and without the trailing
 * {@code -<Implementation-Version>} of its manifest, so an upgrade keeps the plugin's name.
 */
class PluginNameTest {

    private static TestPlugins inbox(String jarName, String version) {
        return plugin(jarName)
                .version(version)
                .source("com.acme.inbox.EchoEvent", echoEvent("com.acme.inbox"))
                .source("com.acme.inbox.InboxListener", listener("com.acme.inbox", "InboxListener", ""))
                .listeners("com.acme.inbox.InboxListener");
    }

    @Test
    void aJarsPluginNameLeavesOutItsVersion(@TempDir Path pluginsDir) throws Exception {
        inbox("inbox-listener-1.0.0-SNAPSHOT", "1.0.0-SNAPSHOT").writeJar(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            Plugin plugin = set.plugin("inbox-listener").orElseThrow(() -> new AssertionError(set.plugins()));
            assertEquals("1.0.0-SNAPSHOT", plugin.version());
        }
        try (PluginSet checked = PluginLoader.check(pluginsDir.resolve("inbox-listener-1.0.0-SNAPSHOT.jar"))) {
            assertTrue(
                    checked.plugin("inbox-listener").isPresent(),
                    checked.plugins().toString());
        }
    }

    @Test
    void anUpgradeKeepsTheName(@TempDir Path pluginsDir) throws Exception {
        Path old = inbox("inbox-listener-1.0.0", "1.0.0").writeJar(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            assertTrue(set.plugin("inbox-listener").isPresent());
        }
        Files.delete(old);
        inbox("inbox-listener-1.1.0", "1.1.0").writeJar(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            assertEquals("1.1.0", set.plugin("inbox-listener").orElseThrow().version());
        }
    }

    @Test
    void twoVersionsSideBySideAreOnePluginTwiceAndTheLaterIsRefused(@TempDir Path pluginsDir) throws Exception {
        inbox("inbox-listener-1.0.0", "1.0.0").writeJar(pluginsDir);
        inbox("inbox-listener-1.1.0", "1.1.0").writeJar(pluginsDir);
        try (PluginSet set = PluginLoader.load(pluginsDir, false)) {
            List<PluginProblem> problems = set.problems("inbox-listener");
            assertEquals(1, problems.size(), set.report());
            assertEquals("L1.9", problems.get(0).rule());
            assertTrue(
                    problems.get(0).reportLine().contains("inbox-listener-1.0.0.jar and inbox-listener-1.1.0.jar"),
                    set.report());
            assertEquals("1.0.0", set.plugin("inbox-listener").orElseThrow().version());
        }
    }

    @Test
    void aNameThatDoesNotEndWithTheManifestVersionIsKept(@TempDir Path pluginsDir, @TempDir Path elsewhere)
            throws Exception {
        inbox("inbox-listener-2", "1.0.0").writeJar(pluginsDir);
        inbox("other", null).writeJar(elsewhere.resolve("more"));
        try (PluginSet set = PluginLoader.load(pluginsDir, true)) {
            assertTrue(set.plugin("inbox-listener-2").isPresent(), set.plugins().toString());
        }
        try (PluginSet set = PluginLoader.check(elsewhere.resolve("more/other.jar"))) {
            assertTrue(set.plugin("other").isPresent(), set.plugins().toString());
        }
    }
}
