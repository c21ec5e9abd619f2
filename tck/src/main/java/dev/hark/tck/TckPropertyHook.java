package dev.hark.tck;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import org.opentest4j.TestAbortedException;

/**
 * Applies the TCK's settings to its jqwik properties (tries, seed), skips a property whose
 * capability the fixture lacks (with the reason), and adds the seed to a failure's message.
 */
public final class TckPropertyHook implements AroundPropertyHook {

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property)
            throws Throwable {
        TckSettings settings = TckSettings.current();
        context.attributes().setTries(settings.tries());
        settings.seed().ifPresent(seed -> context.attributes().setSeed(seed));
        Object instance = context.testInstance();
        TestAbortedException skip = null;
        if (instance instanceof ListenerVerification<?, ?> verification) {
            try {
                verification.instantiableOrAbort();
                RequiresCapability needs = context.targetMethod().getAnnotation(RequiresCapability.class);
                if (needs != null) {
                    for (Capability capability : needs.value()) {
                        verification.requireOrAbort(capability);
                    }
                }
            } catch (TestAbortedException e) {
                skip = e;
                verification.skipProperties = true; // the tries return at once; the property is reported aborted
            }
        }
        PropertyExecutionResult result = property.execute();
        if (skip != null) {
            return result.mapToAborted(skip);
        }
        if (result.status() == PropertyExecutionResult.Status.FAILED
                && result.throwable().isPresent()) {
            Throwable cause = result.throwable().get();
            String seed = result.seed().orElse("?");
            AssertionError decorated = new AssertionError(
                    cause.getMessage() + "reproduce: -D" + TckSettings.SEED + "=" + seed
                            + " (jqwik's report below shows the original and the shrunk schedule)",
                    cause);
            decorated.setStackTrace(cause.getStackTrace());
            return result.mapToFailed(decorated);
        }
        return result;
    }

    @Override
    public int aroundPropertyProximity() {
        return -10;
    }
}
