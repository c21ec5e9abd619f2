package dev.hark.runtime.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.testing.ChannelEvent;
import dev.hark.workflow.Dag;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a listener holds during a wait is its context and nothing more: the protocol stays the runtime's. */
class ListenerContextTest {

    /** Hands out the contexts it is polled and committed with. */
    public static final class ContextKeeper implements EventListener<String, ChannelEvent> {
        static final CompletableFuture<EventContext> POLLED = new CompletableFuture<>();
        static final CompletableFuture<EventContext> COMMITTED = new CompletableFuture<>();

        @Override
        public CompletionStage<ChannelEvent> pollForEvent(String args, EventContext context) {
            POLLED.complete(context);
            return CompletableFuture.completedFuture(new ChannelEvent(args, 1, "kept"));
        }

        @Override
        public CompletionStage<Void> eventCheckpointed(ChannelEvent event, EventContext context) {
            COMMITTED.complete(context);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void theContextAListenerSeesOffersOnlyTheContextsMethods(@TempDir Path dataDir) throws Exception {
        try (Hark hark = Hark.open(dataDir)) {
            hark.run(Dag.waitForEvent(ContextKeeper.class, "ctx"), "context-1");
        }
        EventContext polled = ContextKeeper.POLLED.get(30, TimeUnit.SECONDS);
        EventContext committed = ContextKeeper.COMMITTED.get(30, TimeUnit.SECONDS);
        assertNotNull(polled);
        assertEquals("context-1", polled.workflowId());
        Set<String> contract = publicMethods(EventContext.class);
        assertEquals(
                contract,
                publicMethods(polled.getClass()),
                "nothing beyond EventContext (no poll, cancel or"
                        + " recommit of the wait) is reachable from what the listener holds");
        assertEquals(contract, publicMethods(committed.getClass()));
    }

    private static Set<String> publicMethods(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
