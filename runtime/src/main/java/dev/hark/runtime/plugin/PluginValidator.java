package dev.hark.runtime.plugin;

import dev.hark.api.Event;
import dev.hark.api.EventListener;
import dev.hark.workflow.WorkflowDefinition;
import dev.hark.workflow.WorkflowIds;
import dev.hark.workflow.internal.Json;
import dev.hark.workflow.internal.ListenerType;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.exc.InvalidDefinitionException;

/**
 * The loading stage: loads a plugin's registered providers through its own class loader with
 * {@link ServiceLoader}, resolves each listener's argument and event types and tries them with
 * Jackson (L1.4, L1.5), creates one instance to run its static initializer and constructor (L1.7),
 * and for workflow definitions creates one and reads its name (L1.10, L1.11). {@code build} is not
 * called.
 *
 * <p>For the application class path, which has no bytecode stage, the class shape and statelessness
 * rules are checked here by reflection.
 */
final class PluginValidator {

    private static final Pattern RULE = Pattern.compile("\\[(L\\d+\\.\\d+)]");
    private static final Pattern PROVIDER = Pattern.compile("Provider (\\S+)");
    private static final int MAX_ERRORS = 1000;

    private PluginValidator() {}

    /** The providers of one plugin that passed, and the problems of those that did not. */
    record Result(
            Map<String, Class<? extends EventListener<?, ?>>> listeners,
            Map<String, WorkflowDefinition> definitions,
            List<PluginProblem> problems) {}

    /**
     * @param reflectShapes check L1.1, L1.2, L2.1 by reflection (for the class path)
     * @param skip classes already refused by the bytecode stage; not loaded again
     */
    static Result validate(String plugin, ClassLoader loader, boolean reflectShapes, Set<String> skip) {
        List<PluginProblem> problems = new ArrayList<>();
        Map<String, Class<? extends EventListener<?, ?>>> listeners = new LinkedHashMap<>();
        Map<String, WorkflowDefinition> definitions = new LinkedHashMap<>();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            for (Class<?> type : providerTypes(plugin, EventListener.class, loader, skip, "L1.3", problems)) {
                Class<? extends EventListener<?, ?>> listener = bounded(
                        plugin, type, "L1.7", loader, problems, own -> checkListener(plugin, type, reflectShapes, own));
                if (listener != null) {
                    listeners.put(listener.getName(), listener);
                }
            }
            for (Class<?> type : providerTypes(plugin, WorkflowDefinition.class, loader, skip, "L1.10", problems)) {
                Map.Entry<String, WorkflowDefinition> named = bounded(
                        plugin,
                        type,
                        "L1.10",
                        loader,
                        problems,
                        own -> checkDefinition(plugin, type, reflectShapes, own));
                if (named != null) {
                    WorkflowDefinition earlier = definitions.putIfAbsent(named.getKey(), named.getValue());
                    if (earlier != null) {
                        problems.add(new PluginProblem(
                                plugin,
                                type.getName(),
                                "L1.11",
                                "its name '" + named.getKey() + "' is also the name of "
                                        + earlier.getClass().getName(),
                                "give each workflow definition its own name"));
                    }
                }
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        return new Result(listeners, definitions, problems);
    }

    /** Loads (without initializing) the classes registered for {@code service}, reporting entries that fail. */
    private static List<Class<?>> providerTypes(
            String plugin,
            Class<?> service,
            ClassLoader loader,
            Set<String> skip,
            String rule,
            List<PluginProblem> problems) {
        List<Class<?>> types = new ArrayList<>();
        Iterator<? extends ServiceLoader.Provider<?>> providers =
                ServiceLoader.load(service, loader).stream().iterator();
        int errors = 0;
        while (errors < MAX_ERRORS) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                Class<?> type = providers.next().type();
                if (!skip.contains(type.getName())) {
                    types.add(type);
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                errors++;
                String message = String.valueOf(e.getMessage());
                Matcher provider = PROVIDER.matcher(message);
                String className = provider.find() ? provider.group(1) : null;
                if (className != null && skip.contains(className)) {
                    continue;
                }
                boolean constructor = message.contains("no-arg constructor");
                String missing = missingClass(e);
                problems.add(new PluginProblem(
                        plugin,
                        className,
                        constructor ? (rule.equals("L1.3") ? "L1.2" : rule) : rule,
                        "META-INF/services/" + service.getName() + " cannot be loaded: " + message
                                + (e.getCause() == null ? "" : " (" + e.getCause() + ")"),
                        constructor
                                ? "add a public no-arg constructor"
                                : missing != null && !missing.equals(className)
                                        ? bundleFix(plugin, missing)
                                        : "list only existing classes that implement " + service.getName()
                                                + ", and bundle every jar they need"));
            }
        }
        return types;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends EventListener<?, ?>> checkListener(
            String plugin, Class<?> type, boolean reflectShapes, List<PluginProblem> problems) {
        String name = type.getName();
        if (reflectShapes && !reflectedStateless(plugin, type, problems)) {
            return null;
        }
        ListenerType listenerType;
        try {
            listenerType = ListenerType.of(type);
        } catch (IllegalArgumentException e) {
            String rule = ruleOf(e.getMessage());
            problems.add(new PluginProblem(plugin, name, rule, e.getMessage(), fixFor(rule, type)));
            return null;
        } catch (LinkageError e) {
            String missing = missingClass(e);
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    "L1.4",
                    "a type it declares cannot be loaded: " + e,
                    missing != null ? bundleFix(plugin, missing) : "bundle every jar it needs in the plugin"));
            return null;
        }
        String argsProblem = jacksonProblem(listenerType.argsType());
        if (argsProblem != null) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    "L1.4",
                    "Jackson cannot read its argument type "
                            + listenerType.argsType().toCanonical() + ": " + argsProblem,
                    fixFor("L1.4", type)));
            return null;
        }
        String eventProblem = jacksonProblem(listenerType.eventType());
        if (eventProblem != null) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    "L1.5",
                    "Jackson cannot read its event type "
                            + listenerType.eventType().toCanonical() + ": " + eventProblem,
                    fixFor("L1.5", type)));
            return null;
        }
        if (instantiate(plugin, type, "L1.7", problems) == null) {
            return null;
        }
        return (Class<? extends EventListener<?, ?>>) type;
    }

    private static Map.Entry<String, WorkflowDefinition> checkDefinition(
            String plugin, Class<?> type, boolean reflectShapes, List<PluginProblem> problems) {
        String name = type.getName();
        int modifiers = type.getModifiers();
        if (reflectShapes
                && (!Modifier.isPublic(modifiers)
                        || Modifier.isAbstract(modifiers)
                        || type.isInterface()
                        || type.getEnclosingClass() != null && !Modifier.isStatic(modifiers))) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    "L1.10",
                    "not a public, concrete, top-level or static nested class",
                    "declare it 'public class " + type.getSimpleName() + "'"));
            return null;
        }
        Object instance = instantiate(plugin, type, "L1.10", problems);
        if (!(instance instanceof WorkflowDefinition definition)) {
            return null;
        }
        String definitionName;
        try {
            definitionName = definition.name();
        } catch (RuntimeException | LinkageError e) {
            problems.add(
                    new PluginProblem(plugin, name, "L1.10", "name() threw " + e, "return a constant from name()"));
            return null;
        }
        String invalid = WorkflowIds.problem(definitionName, "workflow definition name");
        if (invalid != null) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    "L1.11",
                    invalid,
                    "return a name of 1–128 letters, digits and - _ . : @ + = from name()"));
            return null;
        }
        return Map.entry(definitionName, definition);
    }

    /** Creates one instance: runs the static initializer and the public no-arg constructor. */
    private static Object instantiate(String plugin, Class<?> type, String rule, List<PluginProblem> problems) {
        String name = type.getName();
        String fix = "do not throw from the static initializer or constructor of " + type.getSimpleName()
                + ": create clients lazily where they are used, and report failures from there";
        try {
            return type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            String missing = missingClass(e.getCause());
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    rule,
                    "its constructor threw " + e.getCause()
                            + (missing == null ? "" : " (class " + missing + " is not in the plugin)"),
                    missing == null ? fix : bundleFix(plugin, missing)));
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String missing = missingClass(cause);
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    rule,
                    "its static initializer threw " + cause
                            + (missing == null ? "" : " (class " + missing + " is not in the plugin)"),
                    missing == null ? fix : bundleFix(plugin, missing)));
        } catch (NoClassDefFoundError e) {
            String missing = missingClass(e);
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    rule,
                    "it cannot be initialized: " + e,
                    missing == null ? fix + "; bundle every jar it needs" : bundleFix(plugin, missing)));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            problems.add(new PluginProblem(
                    plugin,
                    name,
                    rule.equals("L1.7") ? "L1.2" : rule,
                    "it cannot be created with its public no-arg constructor: " + e,
                    "add 'public " + type.getSimpleName() + "() {}'"));
        }
        return null;
    }

    /**
     * @return the class a {@link NoClassDefFoundError} or {@link ClassNotFoundException} in the
     *     cause chain could not find, as a binary name, or null
     */
    static String missingClass(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            String message = e.getMessage();
            if (message == null || message.isBlank()) {
                continue;
            }
            if (e instanceof NoClassDefFoundError && !message.startsWith("Could not initialize class")
                    || e instanceof ClassNotFoundException) {
                String missing = message.strip();
                int space = missing.indexOf(' ');
                if (space > 0) {
                    missing = missing.substring(0, space);
                }
                return missing.replace('/', '.');
            }
        }
        return null;
    }

    private static String bundleFix(String plugin, String missing) {
        return "bundle the jar that holds " + missing + " in the plugin folder (plugins/" + plugin
                + "/, next to the plugin's jar; a single plugins/" + plugin + ".jar becomes that folder)";
    }

    /** How long plugin code may run at load (static initializer, constructor, {@code name()}), in ms. */
    static final String LOAD_TIMEOUT_PROPERTY = "hark.plugins.load-timeout-ms";

    static final long DEFAULT_LOAD_TIMEOUT_MS = 10_000;

    static long loadTimeoutMillis() {
        String value = System.getProperty(LOAD_TIMEOUT_PROPERTY);
        if (value != null) {
            try {
                long ms = Long.parseLong(value.strip());
                if (ms > 0) {
                    return ms;
                }
            } catch (NumberFormatException e) {
                // the default
            }
        }
        return DEFAULT_LOAD_TIMEOUT_MS;
    }

    /**
     * Runs the checks of one provider — which run its static initializer, constructor and
     * {@code name()} — on a daemon thread whose context class loader is the plugin's, waiting at
     * most {@link #loadTimeoutMillis()}. A check that does not finish in time refuses the class
     * under {@code rule}, with where it was stuck; its thread is left behind (a daemon: it cannot
     * keep the process alive) and interrupted.
     */
    private static <T> T bounded(
            String plugin,
            Class<?> type,
            String rule,
            ClassLoader loader,
            List<PluginProblem> problems,
            Function<List<PluginProblem>, T> check) {
        List<PluginProblem> own = new ArrayList<>();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(
                () -> {
                    try {
                        result.complete(check.apply(own));
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                "hark-plugin-load-" + plugin + "-" + type.getSimpleName());
        worker.setDaemon(true);
        worker.setContextClassLoader(loader);
        worker.start();
        long timeout = loadTimeoutMillis();
        String fix = "do not block or loop in the static initializer, constructor or name() of " + type.getSimpleName()
                + ": connect and start work lazily, where it is used";
        try {
            T value = result.get(timeout, TimeUnit.MILLISECONDS);
            problems.addAll(own);
            return value;
        } catch (TimeoutException e) {
            StackTraceElement[] stack = worker.getStackTrace();
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < Math.min(stack.length, 8); i++) {
                where.append(i == 0 ? "" : " < ").append(stack[i]);
            }
            worker.interrupt();
            problems.add(new PluginProblem(
                    plugin,
                    type.getName(),
                    rule,
                    "loading it did not finish within " + timeout + " ms (static initializer, constructor or"
                            + " name() still running); stuck at " + (where.length() == 0 ? "(unknown)" : where),
                    fix));
        } catch (ExecutionException e) {
            problems.add(new PluginProblem(plugin, type.getName(), rule, "checking it failed: " + e.getCause(), fix));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add(new PluginProblem(plugin, type.getName(), rule, "loading was interrupted", fix));
        }
        return null;
    }

    /**
     * Whether Jackson can build a value of {@code type}: an empty object is read as one. A type whose
     * deserializer cannot even be built (no creator, unsupported construct) is a problem; one that
     * merely does not accept {@code {}} (a string, an instant) is fine. Abstract types are read as
     * the concrete class stored with each value, so they are not tried.
     */
    static String jacksonProblem(JavaType type) {
        if (type.isAbstract() && !type.isContainerType() || type.isJavaLangObject()) {
            return null;
        }
        try {
            Json.MAPPER.readerFor(type).readValue("{}");
            return null;
        } catch (InvalidDefinitionException e) {
            return e.getOriginalMessage();
        } catch (JacksonException e) {
            return null;
        } catch (LinkageError e) {
            return e.toString();
        }
    }

    private static boolean reflectedStateless(String plugin, Class<?> type, List<PluginProblem> problems) {
        List<String> fields = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int m = field.getModifiers();
                if (!Modifier.isFinal(m) && !field.isSynthetic()) {
                    fields.add((Modifier.isStatic(m) ? "static " : "") + field.getName());
                }
            }
        }
        if (fields.isEmpty()) {
            return true;
        }
        String list = String.join("', '", fields);
        problems.add(new PluginProblem(
                plugin,
                type.getName(),
                "L2.1",
                "non-final field(s) '" + list + "'; listeners are stateless",
                "make '" + list + "' final, or keep that state outside the listener"));
        return false;
    }

    private static String ruleOf(String message) {
        Matcher matcher = RULE.matcher(String.valueOf(message));
        if (matcher.find()) {
            return matcher.group(1);
        }
        if (message != null && message.contains("does not implement " + Event.class.getName())) {
            return "L1.5";
        }
        return message != null && message.contains("does not implement " + EventListener.class.getName())
                ? "L1.3"
                : "L1.4";
    }

    private static String fixFor(String rule, Class<?> type) {
        String simple = type.getSimpleName();
        return switch (rule) {
            case "L1.1" -> "declare it 'public class " + simple + "' (top level, or 'public static' when nested)";
            case "L1.2" -> "add 'public " + simple + "() {}'";
            case "L1.3" -> "implement dev.hark.api.EventListener or remove the class from META-INF/services";
            case "L1.5" ->
                "declare EventListener<A, E> with an event type E: a concrete class implementing"
                        + " dev.hark.api.Event that Jackson can read and write (a record works)";
            default ->
                "declare EventListener<A, E> with an argument type A that Jackson can read and write"
                        + " (a record, a String, an Instant…)";
        };
    }
}
