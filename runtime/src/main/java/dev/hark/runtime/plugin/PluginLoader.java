package dev.hark.runtime.plugin;

import dev.hark.workflow.WorkflowDefinition;
import java.io.IOException;
import java.net.URL;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, checks and loads listeners and workflow definitions: first those on the application class
 * path (the built-ins among them), then each plugin of a plugins folder in name order.
 *
 * <p>A plugin is {@code plugins/<name>/} (every {@code .jar} inside, at any depth, following
 * symbolic links) or a single
 * {@code plugins/<name>.jar}. Each is checked in two stages (see {@link PluginScanner} and
 * {@link PluginValidator}); a plugin with any problem is refused as a whole — its loader is closed
 * and none of its classes is used — and the others load. A listener id or definition name already
 * taken by the class path or an earlier plugin refuses the later plugin (L1.8, L1.11).
 *
 * <p>With {@code strict}, any problem (a plugin's or the class path's) throws a
 * {@link PluginLoadException} carrying the whole report; without it, problems are logged and kept
 * in {@link PluginSet#problems()}.
 */
public final class PluginLoader {

    /** The name under which the application class path's providers are reported and listed. */
    public static final String CLASSPATH = "classpath";

    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    private PluginLoader() {}

    /** Loads with the runtime's own class loader as the parent of shared packages. */
    public static PluginSet load(Path pluginsDir, boolean strict) {
        return load(pluginsDir, strict, PluginLoader.class.getClassLoader());
    }

    /**
     * @param pluginsDir the plugins folder; a missing folder means no plugins
     * @param strict whether any problem stops start-up with a {@link PluginLoadException}
     * @param runtimeLoader the loader of the runtime and the application class path
     * @throws PluginLoadException if {@code strict} and any rule is broken
     */
    public static PluginSet load(Path pluginsDir, boolean strict, ClassLoader runtimeLoader) {
        return loadCandidates(
                strict, true, runtimeLoader, CheckProgress.NONE, problems -> candidates(pluginsDir, problems));
    }

    /**
     * Checks one plugin exactly as {@link #load} would: a jar, or a folder whose jars (at any depth,
     * through symbolic links) form one plugin, against the class path's listeners and definitions.
     * Anything else — a file that is not named {@code .jar}, a folder without jars — is a problem.
     *
     * @param plugin a {@code .jar} file or a plugin folder (either may be a symbolic link)
     * @return the class path and the plugin, if it loaded; its problems and warnings
     */
    public static PluginSet check(Path plugin, ClassLoader runtimeLoader) {
        return check(plugin, runtimeLoader, CheckProgress.NONE);
    }

    /** {@link #check(Path, ClassLoader)}, telling {@code progress} as it reads the plugin's jars. */
    public static PluginSet check(Path plugin, ClassLoader runtimeLoader, CheckProgress progress) {
        // No log: the returned set is the report (`hark plugins check` prints it, nothing else).
        return loadCandidates(false, false, runtimeLoader, progress, problems -> {
            String file = plugin.getFileName() == null
                    ? plugin.toString()
                    : plugin.getFileName().toString();
            if (Files.isDirectory(plugin)) {
                List<Path> jars = jarsIn(plugin, file, problems);
                if (jars.isEmpty()) {
                    problems.add(new PluginProblem(
                            file,
                            null,
                            "L1.9",
                            plugin + " holds no .jar files",
                            "put the plugin's jars in the folder"));
                    return List.of();
                }
                return List.of(new Candidate(file, plugin, jars));
            }
            if (Files.isRegularFile(plugin) && file.endsWith(".jar") && file.length() > 4) {
                return List.of(new Candidate(jarPluginName(plugin), plugin, List.of(plugin)));
            }
            problems.add(new PluginProblem(
                    file,
                    null,
                    "L1.9",
                    plugin + " is neither a .jar file nor a folder; the loader would ignore it",
                    "give a plugin jar (plugins/<name>.jar) or a plugin folder (plugins/<name>/)"));
            return List.of();
        });
    }

    /** @see #check(Path, ClassLoader) */
    public static PluginSet check(Path plugin) {
        return check(plugin, PluginLoader.class.getClassLoader());
    }

    /** @see #check(Path, ClassLoader, CheckProgress) */
    public static PluginSet check(Path plugin, CheckProgress progress) {
        return check(plugin, PluginLoader.class.getClassLoader(), progress);
    }

    private static PluginSet loadCandidates(
            boolean strict,
            boolean log,
            ClassLoader runtimeLoader,
            CheckProgress progress,
            Function<List<PluginProblem>, List<Candidate>> find) {
        List<PluginProblem> problems = new ArrayList<>();
        List<PluginProblem> warnings = new ArrayList<>();
        List<Plugin> loaded = new ArrayList<>();
        Map<String, String> listenerOwners = new HashMap<>();
        Map<String, String> definitionOwners = new HashMap<>();

        PluginValidator.Result classpath = PluginValidator.validate(CLASSPATH, runtimeLoader, true, Set.of());
        problems.addAll(classpath.problems());
        classpath.listeners().keySet().forEach(id -> listenerOwners.put(id, CLASSPATH));
        classpath.definitions().keySet().forEach(name -> definitionOwners.put(name, CLASSPATH));
        loaded.add(new Plugin(CLASSPATH, null, null, classpath.listeners(), classpath.definitions(), runtimeLoader));

        Map<String, Map<String, String>> outsideRefs = new HashMap<>();
        for (Candidate candidate : find.apply(problems)) {
            Plugin plugin = loadOne(
                    candidate,
                    runtimeLoader,
                    listenerOwners,
                    definitionOwners,
                    outsideRefs,
                    problems,
                    warnings,
                    progress);
            if (plugin != null) {
                loaded.add(plugin);
            }
        }
        refuseListenersOfOthers(loaded, outsideRefs, listenerOwners, problems);

        List<PluginClassLoader> loaders = new ArrayList<>();
        for (Plugin plugin : loaded) {
            if (plugin.isClasspath()) {
                continue;
            }
            loaders.add((PluginClassLoader) plugin.classLoader());
            if (log) {
                LOG.info(
                        "plugin '{}'{} loaded from {}: listeners {}, workflow definitions {}",
                        plugin.name(),
                        plugin.version() == null ? "" : " " + plugin.version(),
                        plugin.location(),
                        plugin.listeners().keySet(),
                        plugin.definitions().keySet());
            }
        }

        if (log) {
            for (PluginProblem warning : warnings) {
                LOG.warn("warning: {}", warning.reportLine());
            }
        }
        PluginSet set = new PluginSet(loaded, problems, warnings, new PluginSetClassLoader(runtimeLoader, loaders));
        if (!problems.isEmpty()) {
            if (strict) {
                set.close();
                throw new PluginLoadException(problems);
            }
            if (log) {
                LOG.warn(
                        "{} plugin problem(s); the plugins concerned are not loaded:\n{}",
                        problems.size(),
                        set.report());
            }
        }
        return set;
    }

    /**
     * L1.13: a plugin's classes see only its own jars and the runtime's shared packages, so a
     * class of one plugin that refers to a listener of another plugin (or of the application class
     * path) would fail with {@code NoClassDefFoundError} once a workflow runs it. Such a plugin is
     * refused here, at load, with the listener and its owner named; its loader is closed.
     */
    private static void refuseListenersOfOthers(
            List<Plugin> loaded,
            Map<String, Map<String, String>> outsideRefs,
            Map<String, String> listenerOwners,
            List<PluginProblem> problems) {
        List<Plugin> refused = new ArrayList<>();
        for (Plugin plugin : loaded) {
            if (plugin.isClasspath()) {
                continue;
            }
            String name = plugin.name();
            List<PluginProblem> own = new ArrayList<>();
            outsideRefs.getOrDefault(name, Map.of()).forEach((listener, referrer) -> {
                String owner = listenerOwners.get(listener);
                if (owner == null || owner.equals(name) || SharedPackages.isRuntimeShared(listener)) {
                    return;
                }
                boolean classpath = owner.equals(CLASSPATH);
                own.add(new PluginProblem(
                        name,
                        referrer,
                        "L1.13",
                        "refers to listener " + listener + " of " + describe(owner) + ", which plugin '" + name
                                + "' cannot see: each plugin has its own class loader, and a workflow using it would"
                                + " fail with NoClassDefFoundError",
                        classpath
                                ? "put the workflow definition and the listener in one place: the listener into"
                                        + " plugin '" + name + "' (and off the class path), or the definition onto"
                                        + " the class path"
                                : "put the workflow definition and the listener in one plugin: move the definition"
                                        + " into plugin '" + owner + "', or the listener's jar from plugin '" + owner
                                        + "' into plugin '" + name + "'"));
            });
            if (!own.isEmpty()) {
                problems.addAll(own);
                refused.add(plugin);
            }
        }
        for (Plugin plugin : refused) {
            loaded.remove(plugin);
            closeQuietly((PluginClassLoader) plugin.classLoader());
        }
    }

    /** A plugin folder or jar found in the plugins folder, not yet checked. */
    private record Candidate(String name, Path location, List<Path> jars) {}

    private static List<Candidate> candidates(Path pluginsDir, List<PluginProblem> problems) {
        if (pluginsDir == null || !Files.isDirectory(pluginsDir)) {
            LOG.info("no plugins folder at {}; only class path listeners and definitions are available", pluginsDir);
            return List.of();
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(pluginsDir)) {
            entries = list.sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            problems.add(new PluginProblem(
                    "(plugins folder)",
                    null,
                    "L1.9",
                    "cannot list " + pluginsDir + ": " + e,
                    "make the plugins folder readable"));
            return List.of();
        }
        Map<String, Candidate> byName = new LinkedHashMap<>();
        for (Path entry : entries) {
            String file = entry.getFileName().toString();
            Candidate candidate;
            if (Files.isDirectory(entry)) {
                candidate = new Candidate(file, entry, jarsIn(entry, file, problems));
            } else if (file.endsWith(".jar") && file.length() > 4) {
                candidate = new Candidate(jarPluginName(entry), entry, List.of(entry));
            } else {
                LOG.debug("ignoring {} in the plugins folder: neither a folder nor a .jar", entry);
                continue;
            }
            if (candidate.jars().isEmpty()) {
                LOG.warn("plugin folder {} holds no jars; ignored", entry);
                continue;
            }
            Candidate earlier = byName.putIfAbsent(candidate.name(), candidate);
            if (earlier != null) {
                problems.add(new PluginProblem(
                        candidate.name(),
                        null,
                        "L1.9",
                        "both " + earlier.location().getFileName() + " and " + entry.getFileName()
                                + " define a plugin of this name; " + entry.getFileName() + " is refused",
                        "keep only one of them (the folder or the jar; after an upgrade, remove the old jar)"));
            }
        }
        return List.copyOf(byName.values());
    }

    /**
     * The name of a single-jar plugin: the file name without {@code .jar} and without a trailing
     * {@code -<Implementation-Version>} of its manifest, so that {@code inbox-listener-1.2.0.jar}
     * is the plugin {@code inbox-listener} and an upgrade keeps the name. A jar whose manifest
     * cannot be read keeps its whole file name (the loader refuses it under L1.9 anyway).
     */
    static String jarPluginName(Path jar) {
        String file = jar.getFileName().toString();
        String base = file.substring(0, file.length() - ".jar".length());
        String version = null;
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest manifest = in.getManifest();
            if (manifest != null) {
                version = manifest.getMainAttributes().getValue("Implementation-Version");
            }
        } catch (IOException | SecurityException e) {
            return base;
        }
        if (version != null && !version.isBlank()) {
            String suffix = "-" + version.strip();
            if (base.endsWith(suffix) && base.length() > suffix.length()) {
                return base.substring(0, base.length() - suffix.length());
            }
        }
        return base;
    }

    /** Every {@code .jar} file under {@code folder}, following symbolic links; a link cycle is skipped. */
    private static List<Path> jarsIn(Path folder, String plugin, List<PluginProblem> problems) {
        List<Path> jars = new ArrayList<>();
        try {
            Files.walkFileTree(
                    folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                            if (attributes.isRegularFile()
                                    && file.getFileName().toString().endsWith(".jar")) {
                                jars.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (e instanceof FileSystemLoopException) {
                                LOG.warn("plugin '{}': {} links back to a folder above it; not followed", plugin, file);
                                return FileVisitResult.CONTINUE;
                            }
                            throw e;
                        }
                    });
        } catch (IOException e) {
            problems.add(new PluginProblem(
                    plugin, null, "L1.9", "cannot list " + folder + ": " + e, "make the plugin folder readable"));
            return List.of();
        }
        jars.sort(Comparator.naturalOrder());
        return List.copyOf(jars);
    }

    private static Plugin loadOne(
            Candidate candidate,
            ClassLoader runtimeLoader,
            Map<String, String> listenerOwners,
            Map<String, String> definitionOwners,
            Map<String, Map<String, String>> outsideRefs,
            List<PluginProblem> problems,
            List<PluginProblem> warnings,
            CheckProgress progress) {
        String name = candidate.name();
        List<PluginProblem> own = new ArrayList<>();
        String version = null;
        List<URL> urls = new ArrayList<>();
        int read = 0;
        for (Path jar : candidate.jars()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                file.stream().count(); // reads the whole central directory
                Manifest manifest = file.getManifest();
                if (version == null && manifest != null) {
                    version = manifest.getMainAttributes().getValue("Implementation-Version");
                }
                urls.add(jar.toUri().toURL());
            } catch (IOException | SecurityException e) {
                own.add(new PluginProblem(
                        name,
                        null,
                        "L1.9",
                        "cannot read jar "
                                + (jar.equals(candidate.location())
                                        ? jar.getFileName()
                                        : candidate.location().relativize(jar))
                                + ": " + e,
                        "replace it with a valid jar (zip) file, or remove it"));
            }
            progress.jarRead(name, ++read, candidate.jars().size());
        }
        if (!own.isEmpty()) {
            problems.addAll(own);
            return null;
        }

        PluginScanner.Result scanned;
        try {
            scanned = PluginScanner.scan(name, candidate.jars());
        } catch (RuntimeException e) {
            problems.add(new PluginProblem(
                    name, null, "L1.9", "its class files cannot be read: " + e, "rebuild the plugin's jars"));
            return null;
        }
        if (!scanned.problems().isEmpty()) {
            problems.addAll(scanned.problems());
            return null;
        }
        warnings.addAll(scanned.warnings());

        PluginClassLoader loader = new PluginClassLoader(name, urls, runtimeLoader);
        PluginValidator.Result validated = PluginValidator.validate(name, loader, false, Set.of());
        own.addAll(validated.problems());
        for (String id : validated.listeners().keySet()) {
            String owner = listenerOwners.get(id);
            if (owner != null) {
                own.add(new PluginProblem(
                        name,
                        id,
                        "L1.8",
                        "listener id " + id + " is already provided by " + describe(owner) + "; plugin '" + name
                                + "' is refused",
                        "rename the class (its fully qualified name is its id, L1.6), or remove one of the two"));
            }
        }
        for (Map.Entry<String, WorkflowDefinition> definition :
                validated.definitions().entrySet()) {
            String owner = definitionOwners.get(definition.getKey());
            if (owner != null) {
                own.add(new PluginProblem(
                        name,
                        definition.getValue().getClass().getName(),
                        "L1.11",
                        "workflow definition name '" + definition.getKey() + "' is already taken by " + describe(owner)
                                + "; plugin '" + name + "' is refused",
                        "give the definition another name, or remove one of the two"));
            }
        }
        if (!own.isEmpty()) {
            problems.addAll(own);
            closeQuietly(loader);
            return null;
        }
        outsideRefs.put(name, scanned.outsideRefs());
        validated.listeners().keySet().forEach(id -> listenerOwners.put(id, name));
        validated.definitions().keySet().forEach(n -> definitionOwners.put(n, name));
        return new Plugin(name, candidate.location(), version, validated.listeners(), validated.definitions(), loader);
    }

    private static String describe(String owner) {
        return owner.equals(CLASSPATH) ? "the application class path" : "plugin '" + owner + "'";
    }

    private static void closeQuietly(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("closing the class loader of refused plugin {} failed", loader.pluginName(), e);
        }
    }
}
