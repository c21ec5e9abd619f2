package dev.hark.workflow;

import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Where a task function lives, in a form a new JVM can resolve again: a class, and a method in it
 * by name and descriptor. Captured state is refused: a function that closed over a variable could
 * not be rebuilt after a restart, so inputs must come through {@code bind}.
 *
 * @param className the class declaring the method, or implementing the function interface
 * @param methodName the method name; {@code apply} for {@link Kind#INSTANCE}
 * @param descriptor the JVM method descriptor; empty for {@link Kind#INSTANCE}
 * @param kind how the method is invoked
 * @param arity the number of inputs the task takes
 */
public record FunctionRef(String className, String methodName, String descriptor, Kind kind, int arity) {

    /** How a {@link FunctionRef} is invoked. */
    public enum Kind {
        /** A static method, or a non-capturing lambda's synthetic method. */
        STATIC,
        /** An instance method whose receiver is the first input ({@code String::trim}). */
        VIRTUAL,
        /** A constructor reference ({@code Receipt::new}). */
        CONSTRUCTOR,
        /** A class implementing a {@link TaskFunction} interface, created with its no-arg constructor. */
        INSTANCE
    }

    /**
     * Reads where {@code function} lives.
     *
     * @throws IllegalArgumentException if a new JVM could not find the function again
     */
    static FunctionRef of(Serializable function, int arity) {
        Class<?> type = function.getClass();
        SerializedLambda lambda = serializedLambda(function);
        if (lambda == null) {
            requireInstantiable(type);
            return new FunctionRef(type.getName(), "apply", "", Kind.INSTANCE, arity);
        }
        String implClass = lambda.getImplClass().replace('/', '.');
        String where = implClass + "." + lambda.getImplMethodName();
        if (lambda.getCapturedArgCount() > 0) {
            throw new IllegalArgumentException("task function " + where + " captures "
                    + lambda.getCapturedArgCount() + " value(s) from its surroundings (a capturing lambda or a"
                    + " bound method reference like obj::method); a resumed workflow could not rebuild them."
                    + " Use a static method reference or a non-capturing lambda, and pass values in with"
                    + " bind(Dag.value(...))");
        }
        Kind kind = switch (lambda.getImplMethodKind()) {
            case MethodHandleInfo.REF_invokeStatic -> Kind.STATIC;
            case MethodHandleInfo.REF_invokeVirtual,
                    MethodHandleInfo.REF_invokeInterface,
                    MethodHandleInfo.REF_invokeSpecial -> Kind.VIRTUAL;
            case MethodHandleInfo.REF_newInvokeSpecial -> Kind.CONSTRUCTOR;
            default ->
                throw new IllegalArgumentException(
                        "task function " + where + " is not a method or constructor reference");
        };
        return new FunctionRef(implClass, lambda.getImplMethodName(), lambda.getImplMethodSignature(), kind, arity);
    }

    /** @return a short name for generated task ids: the method name, or the class's simple name */
    public String displayName() {
        if (kind == Kind.INSTANCE || kind == Kind.CONSTRUCTOR || methodName.startsWith("lambda$")) {
            String simple = className.substring(className.lastIndexOf('.') + 1);
            return simple.substring(simple.lastIndexOf('$') + 1);
        }
        return methodName;
    }

    private static SerializedLambda serializedLambda(Serializable function) {
        try {
            Method writeReplace = function.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return writeReplace.invoke(function) instanceof SerializedLambda lambda ? lambda : null;
        } catch (NoSuchMethodException e) {
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot tell where task function " + function.getClass().getName() + " lives: " + e, e);
        }
    }

    private static void requireInstantiable(Class<?> type) {
        if (!Modifier.isPublic(type.getModifiers())
                || type.isAnonymousClass()
                || type.isLocalClass()
                || type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers())) {
            throw new IllegalArgumentException("task function class " + type.getName()
                    + " must be a public top-level or static nested class so a resumed workflow can create it;"
                    + " or use a static method reference");
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("task function class " + type.getName()
                    + " has no public no-argument constructor; a resumed workflow creates it with one");
        }
    }
}
