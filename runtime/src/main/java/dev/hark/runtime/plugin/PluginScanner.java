package dev.hark.runtime.plugin;

import dev.hark.api.EventListener;
import dev.hark.workflow.WorkflowDefinition;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.FieldInfo;
import io.github.classgraph.MethodInfo;
import io.github.classgraph.Resource;
import io.github.classgraph.ScanResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bytecode stage: reads a plugin's class files with ClassGraph — no class is loaded or
 * initialized, no plugin code runs — and checks the rules that the class files alone decide:
 * L1.1 (public, concrete, top-level or static nested), L1.2 (public no-arg constructor), L1.3
 * (registered in {@code META-INF/services/dev.hark.api.EventListener}; entries name existing
 * classes), L2.1 (no non-final instance or static fields, inherited ones included; final static
 * mutable containers are warned about), L1.12 (no class refers to {@code System.exit},
 * {@code Runtime.exit} or {@code Runtime.halt}), and L1.10 for workflow definitions.
 */
final class PluginScanner {

    static final String LISTENER_SERVICE = "META-INF/services/" + EventListener.class.getName();
    static final String DEFINITION_SERVICE = "META-INF/services/" + WorkflowDefinition.class.getName();
    /** Where definitions were registered before the workflow API became an artifact of its own. */
    static final String FORMER_DEFINITION_SERVICE = "META-INF/services/dev.hark.runtime.workflow.WorkflowDefinition";

    private PluginScanner() {}

    /** What the bytecode says about one plugin. */
    /**
     * @param outsideRefs every class the plugin's classes refer to that is neither in the plugin nor
     *     one of the JDK's or the runtime's shared classes, with the first class of the plugin that
     *     refers to it (the plugin's loader cannot resolve these; see L1.13)
     */
    record Result(
            Set<String> listenerEntries,
            Set<String> definitionEntries,
            List<PluginProblem> problems,
            List<PluginProblem> warnings,
            Map<String, String> outsideRefs) {}

    static Result scan(String plugin, List<Path> jars) {
        List<PluginProblem> problems = new ArrayList<>();
        List<PluginProblem> warnings = new ArrayList<>();
        ClassGraph graph = new ClassGraph()
                .overrideClasspath(jars.stream().map(Path::toString).toList())
                .disableModuleScanning()
                .enableClassInfo()
                .enableMethodInfo()
                .enableFieldInfo()
                .enableExternalClasses()
                .enableInterClassDependencies()
                .ignoreClassVisibility()
                .ignoreMethodVisibility()
                .ignoreFieldVisibility();
        try (ScanResult scan = graph.scan(1)) {
            Set<String> listeners = serviceEntries(scan, LISTENER_SERVICE, plugin, problems);
            Set<String> definitions = serviceEntries(scan, DEFINITION_SERVICE, plugin, problems);
            if (!scan.getResourcesWithPath(FORMER_DEFINITION_SERVICE).isEmpty()) {
                problems.add(new PluginProblem(
                        plugin,
                        FORMER_DEFINITION_SERVICE,
                        "L1.10",
                        "registers workflow definitions under the former package dev.hark.runtime.workflow",
                        "compile against dev.hark:hark-workflow-api (package dev.hark.workflow) and rename the file"
                                + " to " + DEFINITION_SERVICE));
            }

            for (String name : listeners) {
                ClassInfo info = scan.getClassInfo(name);
                if (info == null || info.isExternalClass()) {
                    problems.add(new PluginProblem(
                            plugin,
                            name,
                            "L1.3",
                            LISTENER_SERVICE + " names a class that is not in the plugin's jars",
                            "remove the line '" + name + "' or add the class to the plugin"));
                    continue;
                }
                if (checkShape(plugin, info, "L1.1", "L1.2", LISTENER_SERVICE, problems)) {
                    checkStateless(plugin, info, problems, warnings);
                }
            }
            for (ClassInfo info : scan.getClassesImplementing(EventListener.class.getName())) {
                if (isCandidate(info) && !listeners.contains(info.getName())) {
                    problems.add(new PluginProblem(
                            plugin,
                            info.getName(),
                            "L1.3",
                            "implements EventListener but is not registered in " + LISTENER_SERVICE,
                            "add the line '" + info.getName() + "' to " + LISTENER_SERVICE
                                    + " (or make the class abstract if it is a base class)"));
                }
            }

            for (String name : definitions) {
                ClassInfo info = scan.getClassInfo(name);
                if (info == null || info.isExternalClass()) {
                    problems.add(new PluginProblem(
                            plugin,
                            name,
                            "L1.10",
                            DEFINITION_SERVICE + " names a class that is not in the plugin's jars",
                            "remove the line '" + name + "' or add the class to the plugin"));
                    continue;
                }
                checkShape(plugin, info, "L1.10", "L1.10", DEFINITION_SERVICE, problems);
            }
            for (ClassInfo info : scan.getClassesImplementing(WorkflowDefinition.class.getName())) {
                if (isCandidate(info) && !definitions.contains(info.getName())) {
                    problems.add(new PluginProblem(
                            plugin,
                            info.getName(),
                            "L1.10",
                            "implements WorkflowDefinition but is not registered in " + DEFINITION_SERVICE,
                            "add the line '" + info.getName() + "' to " + DEFINITION_SERVICE
                                    + " (or make the class abstract if it is a base class)"));
                }
            }
            for (ClassInfo info : scan.getAllClasses()) {
                if (!info.isExternalClass()) {
                    checkNoExit(plugin, info, problems);
                }
            }
            Map<String, String> outsideRefs = new TreeMap<>();
            for (ClassInfo info : scan.getAllClasses()) {
                if (info.isExternalClass()) {
                    continue;
                }
                for (ClassInfo referenced : info.getClassDependencies()) {
                    String name = referenced.getName();
                    ClassInfo own = scan.getClassInfo(name);
                    if ((own == null || own.isExternalClass())
                            && SharedPackages.classSource(name) == SharedPackages.Source.PLUGIN) {
                        outsideRefs.putIfAbsent(name, info.getName());
                    }
                }
            }
            return new Result(listeners, definitions, problems, warnings, outsideRefs);
        }
    }

    /** A concrete class of the plugin that could be registered: not abstract, not anonymous. */
    private static boolean isCandidate(ClassInfo info) {
        return !info.isExternalClass()
                && info.isStandardClass()
                && !info.isAbstract()
                && !info.isAnonymousInnerClass()
                && !info.isSynthetic();
    }

    private static Set<String> serviceEntries(
            ScanResult scan, String path, String plugin, List<PluginProblem> problems) {
        Set<String> entries = new LinkedHashSet<>();
        for (Resource resource : scan.getResourcesWithPath(path)) {
            String content;
            try {
                content = resource.getContentAsString();
            } catch (IOException e) {
                problems.add(new PluginProblem(
                        plugin,
                        null,
                        "L1.9",
                        "cannot read " + path + " in " + resource.getClasspathElementFile() + ": " + e,
                        "rebuild the plugin's jar"));
                continue;
            }
            for (String line : content.split("\\R")) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).strip();
                if (!name.isEmpty()) {
                    entries.add(name);
                }
            }
        }
        return entries;
    }

    /**
     * L1.1 and L1.2 (or their equivalents for definitions).
     *
     * @return whether the class passed
     */
    private static boolean checkShape(
            String plugin,
            ClassInfo info,
            String shapeRule,
            String constructorRule,
            String service,
            List<PluginProblem> problems) {
        String name = info.getName();
        String simple = simpleName(info);
        if (info.isInterface() || info.isAnnotation() || info.isAbstract()) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    shapeRule,
                    (info.isInterface() ? "an interface" : "an abstract class") + "; the runtime must create it",
                    "make it a concrete class, or remove it from " + service));
            return false;
        }
        if (info.isAnonymousInnerClass() || info.getFullyQualifiedDefiningMethodName() != null) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    shapeRule,
                    "an anonymous or local class; the runtime cannot create it by name",
                    "move it to a public top-level class"));
            return false;
        }
        if (info.isInnerClass() && !info.isStatic()) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    shapeRule,
                    "a non-static inner class; it needs an instance of its outer class to exist",
                    "declare it 'public static class " + simple + "', or move it to its own file"));
            return false;
        }
        if (!info.isPublic()) {
            problems.add(new PluginProblem(
                    plugin, name, shapeRule, "not public", "declare it 'public class " + simple + "'"));
            return false;
        }
        boolean noArg = false;
        for (MethodInfo constructor : info.getDeclaredConstructorInfo()) {
            if (constructor.isPublic() && constructor.getParameterInfo().length == 0) {
                noArg = true;
                break;
            }
        }
        if (!noArg) {
            problems.add(new PluginProblem(
                    plugin, name, constructorRule, "no public no-arg constructor", "add 'public " + simple + "() {}'"));
            return false;
        }
        return true;
    }

    /**
     * L2.1, over the class and its superclasses within the plugin: non-final instance fields and
     * non-final static fields refuse the listener; final static fields holding a mutable container
     * (a collection, a map, an array, an {@code Atomic*}) are warned about.
     */
    private static void checkStateless(
            String plugin, ClassInfo info, List<PluginProblem> problems, List<PluginProblem> warnings) {
        List<String> fields = new ArrayList<>();
        List<String> statics = new ArrayList<>();
        List<String> mutable = new ArrayList<>();
        List<ClassInfo> hierarchy = new ArrayList<>();
        hierarchy.add(info);
        hierarchy.addAll(info.getSuperclasses());
        for (ClassInfo type : hierarchy) {
            if (type.isExternalClass()) {
                continue;
            }
            for (FieldInfo field : type.getDeclaredFieldInfo()) {
                if (field.isSynthetic()) {
                    continue;
                }
                String shown = type == info ? field.getName() : type.getSimpleName() + "." + field.getName();
                if (!field.isStatic() && !field.isFinal()) {
                    fields.add(shown);
                } else if (field.isStatic() && !field.isFinal()) {
                    statics.add(shown);
                } else if (field.isStatic() && isMutableContainer(field.getTypeDescriptorStr())) {
                    mutable.add(shown);
                }
            }
        }
        if (!fields.isEmpty()) {
            String list = String.join("', '", fields);
            problems.add(new PluginProblem(
                    plugin,
                    info.getName(),
                    "L2.1",
                    "non-final instance field" + (fields.size() > 1 ? "s '" : " '") + list
                            + "'; listeners are stateless",
                    "make '" + list + "' final, or keep that state outside the listener (in its source, or"
                            + " in the arguments)"));
        }
        if (!statics.isEmpty()) {
            String list = String.join("', '", statics);
            problems.add(new PluginProblem(
                    plugin,
                    info.getName(),
                    "L2.1",
                    "non-final static field" + (statics.size() > 1 ? "s '" : " '") + list
                            + "'; state shared by every wait of every workflow is lost on restart",
                    "make '" + list + "' final (a constant, a logger, a client), or keep that state outside"
                            + " the listener (in its source, or in the arguments)"));
        }
        if (!mutable.isEmpty()) {
            String list = String.join("', '", mutable);
            warnings.add(new PluginProblem(
                    plugin,
                    info.getName(),
                    "L2.1",
                    "static field" + (mutable.size() > 1 ? "s '" : " '") + list
                            + "' hold" + (mutable.size() > 1 ? "" : "s") + " a mutable container shared by every wait;"
                            + " its contents are lost on restart",
                    "use it only as a cache that may be empty, or keep that state outside the listener"));
        }
    }

    /** Whether a field descriptor names an array, a collection or map type, or an {@code Atomic*}. */
    static boolean isMutableContainer(String descriptor) {
        if (descriptor == null || descriptor.isEmpty()) {
            return false;
        }
        if (descriptor.charAt(0) == '[') {
            return true;
        }
        if (!descriptor.startsWith("L")) {
            return false;
        }
        String type = descriptor.substring(1, descriptor.length() - 1);
        if (type.startsWith("java/util/concurrent/atomic/")) {
            return true;
        }
        if (!type.startsWith("java/util/")) {
            return false;
        }
        String simple = type.substring(type.lastIndexOf('/') + 1);
        return simple.endsWith("Map")
                || simple.endsWith("List")
                || simple.endsWith("Set")
                || simple.endsWith("Collection")
                || simple.endsWith("Queue")
                || simple.endsWith("Deque")
                || simple.equals("Vector")
                || simple.equals("Stack")
                || simple.equals("Hashtable");
    }

    /** L1.12: no class of the plugin refers to {@code System.exit}, {@code Runtime.exit} or {@code Runtime.halt}. */
    private static void checkNoExit(String plugin, ClassInfo info, List<PluginProblem> problems) {
        Resource resource = info.getResource();
        if (resource == null) {
            return;
        }
        byte[] bytes;
        try {
            bytes = resource.load();
        } catch (IOException e) {
            problems.add(new PluginProblem(
                    plugin, info.getName(), "L1.9", "its class file cannot be read: " + e, "rebuild the plugin's jar"));
            return;
        } finally {
            resource.close();
        }
        String call;
        try {
            call = ClassFileRefs.exitCall(bytes);
        } catch (RuntimeException e) {
            problems.add(new PluginProblem(
                    plugin, info.getName(), "L1.9", "its class file is malformed: " + e, "rebuild the plugin's jar"));
            return;
        }
        if (call != null) {
            problems.add(new PluginProblem(
                    plugin,
                    info.getName(),
                    "L1.12",
                    "calls " + call + ", which would stop the whole server",
                    "report the failure (throw, or fail the returned stage) instead of calling " + call));
        }
    }

    private static String simpleName(ClassInfo info) {
        String name = info.getName();
        String simple = name.substring(name.lastIndexOf('.') + 1);
        return simple.substring(simple.lastIndexOf('$') + 1);
    }
}
