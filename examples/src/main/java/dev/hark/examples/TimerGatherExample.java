package dev.hark.examples;

import dev.hark.listeners.timer.TimerEvent;
import dev.hark.listeners.timer.TimerListener;
import dev.hark.runtime.Hark;
import dev.hark.runtime.workflow.Dag;
import dev.hark.runtime.workflow.Node;
import dev.hark.runtime.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The seed's first example: two timer events, gathered by a task once both have fired.
 *
 * <p>Run it, interrupt it with Ctrl-C while it waits, and run it again: it resumes the same workflow
 * and waits only for the time that remains, instead of starting over. Once it has finished, the
 * next run prints the stored result and starts a fresh workflow.
 */
public final class TimerGatherExample {

    static final String WORKFLOW_ID = "seed-timers";

    private TimerGatherExample() {}

    /** The gather task: returns both events, in the order of its arguments. */
    public static List<TimerEvent> gather(TimerEvent first, TimerEvent second) {
        System.out.printf("[gather] both timers fired: %s and %s%n", local(first.deadline()), local(second.deadline()));
        return List.of(first, second);
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "hark-data");
        Hark hark = Hark.open(dataDir);
        Runtime.getRuntime().addShutdownHook(new Thread(hark::close, "hark-shutdown"));
        System.out.println("Hark data folder: " + hark.dataDir());

        CompletableFuture<?> output;
        WorkflowStatus previous = hark.list().stream()
                .filter(w -> w.id().equals(WORKFLOW_ID)).map(w -> w.status()).findFirst().orElse(null);
        if (previous == WorkflowStatus.RESUMABLE || previous == WorkflowStatus.FAILED) {
            System.out.println("Workflow " + WORKFLOW_ID + " was interrupted (" + previous
                    + "): resuming it from its checkpoints, not starting over.");
            output = hark.resumeAsync(WORKFLOW_ID);
        } else {
            if (previous != null) {
                System.out.println("Workflow " + WORKFLOW_ID + " is " + previous + "; its output was: "
                        + (previous == WorkflowStatus.SUCCESSFUL ? hark.output(WORKFLOW_ID) : "(none)"));
                System.out.println("Deleting it and starting a fresh one.");
                hark.delete(WORKFLOW_ID);
            }
            Instant now = Instant.now();
            Instant first = now.plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
            Instant second = now.plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
            // Like the seed: event1 fires after event2, and gather runs when both are done.
            Node<TimerEvent> event1 = Dag.waitForEvent(TimerListener.class, first);
            Node<TimerEvent> event2 = Dag.waitForEvent(TimerListener.class, second);
            Node<List<TimerEvent>> gathered = Dag.task(TimerGatherExample::gather).bind(event1, event2);
            output = hark.runAsync(gathered, WORKFLOW_ID);
            System.out.printf("Started workflow %s: two timers due at %s and %s. Press Ctrl-C to interrupt it,"
                    + " then run again to resume.%n", WORKFLOW_ID, local(first), local(second));
        }

        while (true) {
            try {
                Object result = output.get(1, TimeUnit.SECONDS);
                System.out.println("Workflow " + WORKFLOW_ID + " is " + hark.status(WORKFLOW_ID) + "; output: " + result);
                break;
            } catch (ExecutionException stopped) {
                System.out.println("The runtime stopped before " + WORKFLOW_ID + " finished ("
                        + stopped.getCause().getMessage() + "). Run again to resume it.");
                break;
            } catch (TimeoutException stillWaiting) {
                System.out.println("  ... " + WORKFLOW_ID + " is " + hark.status(WORKFLOW_ID) + " at "
                        + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " (parked, no thread held)");
            }
        }
    }

    private static LocalTime local(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS);
    }

}
