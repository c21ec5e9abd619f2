package dev.hark.listeners.timer;

import dev.hark.api.EventContext;
import dev.hark.api.EventListener;
import dev.hark.api.UnsharedSource;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Fires once at an absolute instant. A deadline already past fires at once, so a timer that came
 * due while the runtime was down fires as soon as the workflow resumes, and one that is still
 * pending waits only for the time that remains.
 *
 * <p>Every pending timer shares the runtime's one scheduler thread (see
 * {@link EventContext#timerAt}); a timer costs memory, not a thread. Nothing needs committing: the
 * deadline is the whole source, so {@code eventCheckpointed} keeps its no-op default.
 */
@UnsharedSource
public final class TimerListener implements EventListener<Instant, TimerEvent> {

    @Override
    public CompletionStage<TimerEvent> pollForEvent(Instant deadline, EventContext context) {
        Objects.requireNonNull(deadline, "TimerListener needs a deadline (an absolute Instant)");
        return context.timerAt(deadline).thenApply(fired -> new TimerEvent(deadline));
    }
}
