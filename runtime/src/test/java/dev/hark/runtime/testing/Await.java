package dev.hark.runtime.testing;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition that another thread makes true, for up to 30 s. */
public final class Await {

    private Await() {}

    /** @param state what to show when the condition never holds */
    public static void until(BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        for (int i = 0; i < 3_000; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never happened within 30 s: " + state.get());
    }
}
