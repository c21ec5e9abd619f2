package dev.hark.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hark.runtime.plugin.PluginClassLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code hark.tck.plugin} set, the kit loads each generation of the listener in a plugin class
 * loader, as {@code hark serve} does: the listener's classes and the plugin folder's jars first, so
 * the listener runs with the library version it bundles — not the one Maven's nearest-wins put on
 * the test class path — and cannot see the runtime's internals. Real jars, real class loaders: a
 * library {@code com.example.lib.Version} says "flat" on the simulated test class path and "bundled"
 * in the plugin folder.
 */
class PluginModeClassLoaderTest {

    private static final String LISTENER = "com.acme.tckplugin.UsesLibrary";

    @TempDir
    Path dir;

    private URLClassLoader testClassPath;
    private Path pluginFolder;

    @BeforeEach
    void build() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String library = "package com.example.lib;\npublic final class Version {\n"
                + "  public static String value() { return \"%s\"; }\n}\n";
        compile(
                classes,
                LISTENER,
                "package com.acme.tckplugin;\npublic class UsesLibrary {\n"
                        + "  public static String libraryVersion() { return com.example.lib.Version.value(); }\n}\n",
                "com.example.lib.Version",
                library.formatted("flat"));
        // target/classes holds the listener only; the library is a jar of its own
        Path flatLib = jar(classes, dir.resolve("flat-lib.jar"), "com/example/lib/");
        pluginFolder = Files.createDirectories(dir.resolve("plugin/uses-library"));
        Path bundledClasses = Files.createDirectories(dir.resolve("bundled"));
        compile(bundledClasses, "com.example.lib.Version", library.formatted("bundled"));
        jar(bundledClasses, pluginFolder.resolve("version-lib-2.0.jar"), "com/example/lib/");
        deleteTree(classes.resolve("com/example"));
        testClassPath = new URLClassLoader(
                new URL[] {classes.toUri().toURL(), flatLib.toUri().toURL()},
                getClass().getClassLoader());
    }

    @AfterEach
    void clear() throws IOException {
        System.clearProperty(TckSettings.PLUGIN);
        testClassPath.close();
    }

    @Test
    void inAPluginFolderTheListenerRunsWithTheLibraryItBundles() throws Exception {
        Class<?> listener = testClassPath.loadClass(LISTENER);
        assertEquals("flat", version(listener), "the test class path's copy");

        System.setProperty(TckSettings.PLUGIN, pluginFolder.toString());
        Class<?> fresh = FreshListenerClassLoader.freshCopyOf(listener);
        assertInstanceOf(PluginClassLoader.class, fresh.getClassLoader(), "a plugin class loader, as serve makes");
        assertEquals("bundled", version(fresh), "the listener must use the library of its plugin folder");
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("dev.hark.runtime.Hark", false, fresh.getClassLoader()),
                "the runtime's internals are invisible to a plugin");
        assertTrue(
                FreshListenerClassLoader.freshCopyOf(listener) != fresh,
                "each generation is a new plugin loader (static fields empty)");
    }

    @Test
    void withoutAPluginFolderTheListenerComesFromTheTestClassPath() throws Exception {
        Class<?> listener = testClassPath.loadClass(LISTENER);
        Class<?> fresh = FreshListenerClassLoader.freshCopyOf(listener);
        assertInstanceOf(FreshListenerClassLoader.class, fresh.getClassLoader());
        assertEquals("flat", version(fresh));
    }

    private static String version(Class<?> listener) throws ReflectiveOperationException {
        return (String) listener.getMethod("libraryVersion").invoke(null);
    }

    private static void compile(Path out, String... namesAndSources) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new java.util.ArrayList<>();
        for (int i = 0; i < namesAndSources.length; i += 2) {
            String code = namesAndSources[i + 1];
            units.add(
                    new SimpleJavaFileObject(
                            URI.create("string:///" + namesAndSources[i].replace('.', '/') + ".java"),
                            JavaFileObject.Kind.SOURCE) {
                        @Override
                        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                            return code;
                        }
                    });
        }
        StringWriter errors = new StringWriter();
        boolean ok = compiler.getTask(errors, null, null, List.of("--release", "17", "-d", out.toString()), null, units)
                .call();
        assertTrue(ok, errors.toString());
    }

    /** Jars the files of {@code classes} under {@code prefix}. */
    private static Path jar(Path classes, Path jar, String prefix) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                String entry = classes.relativize(path).toString().replace('\\', '/');
                if (entry.startsWith(prefix)) {
                    out.putNextEntry(new JarEntry(entry));
                    out.write(Files.readAllBytes(path));
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }
}
