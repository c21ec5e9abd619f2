package dev.hark.examples.plugin;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.timer.TimerEvent;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The examples' tasks. They name only the api, the built-in listeners' events and the JDK, so
 * that this class loads inside a plugin, which sees nothing else of the runtime.
 */
public final class ExampleTasks {

    private ExampleTasks() {}

    /** Gathers both timer events, in the order of its arguments. */
    public static List<TimerEvent> gather(TimerEvent first, TimerEvent second) {
        System.out.printf("[gather] both timers fired: %s and %s%n", local(first.deadline()), local(second.deadline()));
        return List.of(first, second);
    }

    /** Describes an HTTP event once it is checkpointed. */
    public static String received(HttpEvent event) {
        return "received event_key=" + event.eventKey() + " event_payload=" + event.eventPayload();
    }

    static LocalTime local(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
    }
}
