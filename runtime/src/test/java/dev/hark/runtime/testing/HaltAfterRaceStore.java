package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.WorkflowStore;
import java.util.concurrent.CompletableFuture;

/**
 * A real store that stops the JVM the moment a race's winning checkpoint is durable, before the
 * runtime hears of it: the crash between a {@code firstOf}'s decision and the cancellation of its
 * losers. The JVM halts with {@link #EXIT_CODE}.
 */
public final class HaltAfterRaceStore extends ForwardingWorkflowStore {

    public static final int EXIT_CODE = 99;

    public HaltAfterRaceStore(WorkflowStore real) {
        super(real);
    }

    @Override
    public CompletableFuture<Void> write(StoreWrite write) {
        if (write instanceof StoreWrite.PutTask put && put.decision() != null) {
            super.write(write).whenComplete((ok, refused) -> {
                if (refused == null) {
                    Runtime.getRuntime().halt(EXIT_CODE);
                }
            });
            return new CompletableFuture<>(); // the runtime never learns that the race was won
        }
        return super.write(write);
    }
}
