package dev.hark.runtime.plugin;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars at test time: compiles Java sources against the test class path with the
 * JDK's compiler and packages them, with their {@code META-INF/services} files, with
 * {@link JarOutputStream}. No binary is checked in.
 */
public final class TestPlugins {

    private static final String LISTENER = "dev.hark.api.EventListener";
    private static final String DEFINITION = "dev.hark.workflow.WorkflowDefinition";
    private static volatile String classPath;

    private final String name;
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final java.util.Set<String> omitted = new java.util.HashSet<>();
    private String version;

    private TestPlugins(String name) {
        this.name = name;
    }

    public static TestPlugins plugin(String name) {
        return new TestPlugins(name);
    }

    /** Adds a compilation unit; the class name is read from its package and first public type. */
    public TestPlugins source(String qualifiedName, String code) {
        sources.put(qualifiedName, code);
        return this;
    }

    /** Registers classes in {@code META-INF/services/dev.hark.api.EventListener}. */
    public TestPlugins listeners(String... classNames) {
        services.computeIfAbsent(LISTENER, k -> new ArrayList<>()).addAll(List.of(classNames));
        return this;
    }

    /** Registers classes in {@code META-INF/services/dev.hark.workflow.WorkflowDefinition}. */
    public TestPlugins definitions(String... classNames) {
        services.computeIfAbsent(DEFINITION, k -> new ArrayList<>()).addAll(List.of(classNames));
        return this;
    }

    /** Registers classes in {@code META-INF/services/<serviceName>}, whatever the name. */
    public TestPlugins service(String serviceName, String... classNames) {
        services.computeIfAbsent(serviceName, k -> new ArrayList<>()).addAll(List.of(classNames));
        return this;
    }

    /** Compiles the class but leaves its class file out of the jar (a dependency not bundled). */
    public TestPlugins omit(String qualifiedName) {
        omitted.add(qualifiedName.replace('.', '/') + ".class");
        return this;
    }

    public TestPlugins version(String version) {
        this.version = version;
        return this;
    }

    /** Writes {@code <pluginsDir>/<name>.jar}. */
    public Path writeJar(Path pluginsDir) throws IOException {
        Files.createDirectories(pluginsDir);
        Path jar = pluginsDir.resolve(name + ".jar");
        build(jar);
        return jar;
    }

    /** Writes {@code <pluginsDir>/<name>/<jarName>.jar}; call again with other sources to add jars. */
    public Path writeIntoFolder(Path pluginsDir, String jarName) throws IOException {
        Path folder = pluginsDir.resolve(name);
        Files.createDirectories(folder);
        Path jar = folder.resolve(jarName + ".jar");
        build(jar);
        return jar;
    }

    private void build(Path jar) throws IOException {
        Path classes = Files.createTempDirectory("hark-plugin-" + name);
        try {
            compile(classes);
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (version != null) {
                manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            }
            try (OutputStream file = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(file, manifest);
                    Stream<Path> walk = Files.walk(classes)) {
                for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String entry = classes.relativize(path).toString().replace(File.separatorChar, '/');
                    if (omitted.contains(entry)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry));
                    out.write(Files.readAllBytes(path));
                    out.closeEntry();
                }
                for (Map.Entry<String, List<String>> service : services.entrySet()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
                    out.write(("# test plugin " + name + "\n" + String.join("\n", service.getValue()) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(classes)) {
                walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void compile(Path out) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((qualified, code) -> units.add(
                new SimpleJavaFileObject(
                        URI.create("string:///" + qualified.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return code;
                    }
                }));
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "--release", "17", "-classpath", classPath(), "-d", out.toString(), "-proc:none", "-nowarn");
            boolean ok =
                    compiler.getTask(errors, files, null, options, null, units).call();
            if (!ok) {
                throw new IllegalStateException("test plugin " + name + " does not compile:\n" + errors);
            }
        }
    }

    /**
     * The test class path. Surefire may start the test JVM through a manifest-only booter jar; then
     * the real class path is that jar's {@code Class-Path}.
     */
    public static String classPath() throws IOException {
        String known = classPath;
        if (known != null) {
            return known;
        }
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(entry);
            if (entry.endsWith(".jar")
                    && Path.of(entry).getFileName().toString().startsWith("surefirebooter")) {
                try (JarFile booter = new JarFile(entry)) {
                    String manifestPath =
                            booter.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
                    if (manifestPath != null) {
                        for (String url : manifestPath.trim().split("\\s+")) {
                            entries.add(
                                    Path.of(Path.of(entry).getParent().toUri().resolve(url))
                                            .toString());
                        }
                    }
                }
            }
        }
        classPath = String.join(File.pathSeparator, entries);
        return classPath;
    }

    // ---- sources shared by the tests ----

    public static String echoEvent(String pkg) {
        return "package " + pkg + ";\n"
                + "public record EchoEvent(String id, String text) implements dev.hark.api.Event {}\n";
    }

    /** A listener that completes at once with {@code EchoEvent("echo-" + args, args.toUpperCase() + suffix)}. */
    public static String listener(String pkg, String simpleName, String body) {
        return "package " + pkg + ";\n"
                + "import dev.hark.api.*;\n"
                + "import java.util.concurrent.*;\n"
                + "public class " + simpleName + " implements EventListener<String, EchoEvent> {\n"
                + body + "\n"
                + "    @Override public CompletionStage<EchoEvent> pollForEvent(String args, EventContext context) {\n"
                + "        return CompletableFuture.completedFuture(new EchoEvent(\"echo-\" + args, args.toUpperCase()));\n"
                + "    }\n"
                + "}\n";
    }
}
