package dev.hark.workflow.internal;

import dev.hark.workflow.FunctionRef;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link FunctionRef} resolved against a class loader: callable, with the generic types of its
 * inputs and output (used to read inputs back from JSON and to record output types).
 */
public final class ResolvedFunction {

    private final FunctionRef ref;
    private final Class<?> owner;
    private final Executable executable;
    private final Type[] inputTypes;
    private final Type outputType;

    private ResolvedFunction(
            FunctionRef ref, Class<?> owner, Executable executable, Type[] inputTypes, Type outputType) {
        this.ref = ref;
        this.owner = owner;
        this.executable = executable;
        this.inputTypes = inputTypes;
        this.outputType = outputType;
    }

    /**
     * @throws IllegalArgumentException if the class or method cannot be found or does not fit
     */
    public static ResolvedFunction resolve(FunctionRef ref, ClassLoader loader) {
        Class<?> owner;
        try {
            owner = Class.forName(ref.className(), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(
                    "task function class " + ref.className() + " is not on the class path: " + e, e);
        }
        return switch (ref.kind()) {
            case INSTANCE -> forInstance(ref, owner);
            case CONSTRUCTOR -> forConstructor(ref, owner, loader);
            case STATIC, VIRTUAL -> forMethod(ref, owner, loader);
        };
    }

    private static ResolvedFunction forInstance(FunctionRef ref, Class<?> owner) {
        Method apply = Arrays.stream(owner.getMethods())
                .filter(m -> m.getName().equals("apply") && m.getParameterCount() == ref.arity() && !m.isBridge())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("task function class " + owner.getName()
                        + " has no apply method taking " + ref.arity() + " input(s)"));
        apply.setAccessible(true);
        return new ResolvedFunction(ref, owner, apply, apply.getGenericParameterTypes(), apply.getGenericReturnType());
    }

    private static ResolvedFunction forConstructor(FunctionRef ref, Class<?> owner, ClassLoader loader) {
        Class<?>[] parameters =
                MethodType.fromMethodDescriptorString(ref.descriptor(), loader).parameterArray();
        try {
            Constructor<?> constructor = owner.getDeclaredConstructor(parameters);
            constructor.setAccessible(true);
            return new ResolvedFunction(ref, owner, constructor, constructor.getGenericParameterTypes(), owner);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(
                    "constructor " + owner.getName() + ref.descriptor() + " of a task function no longer exists", e);
        }
    }

    private static ResolvedFunction forMethod(FunctionRef ref, Class<?> owner, ClassLoader loader) {
        MethodType type = MethodType.fromMethodDescriptorString(ref.descriptor(), loader);
        Method method;
        try {
            method = owner.getDeclaredMethod(ref.methodName(), type.parameterArray());
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(
                    "method " + owner.getName() + "." + ref.methodName() + ref.descriptor()
                            + " of a task function no longer exists; a workflow resumes only with the classes it was"
                            + " defined with",
                    e);
        }
        method.setAccessible(true);
        Type[] inputs = method.getGenericParameterTypes();
        if (ref.kind() == FunctionRef.Kind.VIRTUAL) {
            Type[] withReceiver = new Type[inputs.length + 1];
            withReceiver[0] = owner;
            System.arraycopy(inputs, 0, withReceiver, 1, inputs.length);
            inputs = withReceiver;
        }
        return new ResolvedFunction(ref, owner, method, inputs, method.getGenericReturnType());
    }

    /** @return the generic types of the inputs, the receiver first for a {@code VIRTUAL} function */
    public Type[] inputTypes() {
        return inputTypes.clone();
    }

    /** @return the generic type of the output */
    public Type outputType() {
        return outputType;
    }

    /** @return the class that declares the function (its loader is the plugin's, for a plugin's task) */
    public Class<?> owner() {
        return owner;
    }

    public FunctionRef ref() {
        return ref;
    }

    /**
     * Calls the function.
     *
     * @throws Exception whatever the function throws, unwrapped
     */
    public Object invoke(Object[] inputs) throws Exception {
        try {
            return switch (ref.kind()) {
                case STATIC -> ((Method) executable).invoke(null, inputs);
                case VIRTUAL ->
                    ((Method) executable)
                            .invoke(
                                    Objects.requireNonNull(inputs[0], "receiver of " + ref.methodName()),
                                    Arrays.copyOfRange(inputs, 1, inputs.length));
                case CONSTRUCTOR -> ((Constructor<?>) executable).newInstance(inputs);
                case INSTANCE ->
                    ((Method) executable).invoke(owner.getConstructor().newInstance(), inputs);
            };
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
