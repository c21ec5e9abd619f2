package dev.hark.examples;

import dev.hark.runtime.Hark;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.workflow.WorkflowStatus;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Both examples in turn, in library mode against {@code ./hark-data} — two timer
 * events gathered by a task ({@link TimerGatherExample}), then a wait for an HTTP event
 * ({@link HttpEventExample}) on 127.0.0.1:8000.
 *
 * <p>Interrupt it with Ctrl-C while it waits and run it again: it resumes the same workflows from
 * their checkpoints — a timer waits only for the time that remains — instead of starting over. Once
 * both have finished, the next run starts them over.
 */
public final class RunExamples {

    private static final String TIMERS = TimerGatherExample.WORKFLOW_ID;

    private RunExamples() {}

    /** Runs both examples in turn: the timers, then the HTTP event. */
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "hark-data");
        Hark hark =
                Hark.builder().dataDir(dataDir).http(HttpSettings.defaults()).open();
        Runtime.getRuntime().addShutdownHook(new Thread(hark::close, "hark-shutdown"));
        System.out.println("Hark data folder: " + hark.dataDir());

        if (status(hark, TIMERS) == WorkflowStatus.SUCCESSFUL
                && status(hark, HttpEventExample.WORKFLOW_ID) == WorkflowStatus.SUCCESSFUL) {
            System.out.println("Both examples finished in an earlier run; deleting them and starting over.");
            hark.delete(TIMERS);
            hark.delete(HttpEventExample.WORKFLOW_ID);
        }

        System.out.println();
        System.out.println("== Example 1: two timer events, gathered by a task ==");
        if (!await(hark, TIMERS, () -> TimerGatherExample.start(hark))) {
            hark.close();
            return;
        }

        System.out.println();
        System.out.println("== Example 2: an HTTP event ==");
        await(
                hark,
                HttpEventExample.WORKFLOW_ID,
                () -> {
                    CompletableFuture<?> output = hark.runAsync(HttpEventExample.dag(), HttpEventExample.WORKFLOW_ID);
                    System.out.println("Started workflow " + HttpEventExample.WORKFLOW_ID + ".");
                    return output;
                },
                () -> HttpEventExample.printHowToSend(hark));
        System.out.println();
        System.out.println("Done. Run again to start both examples over.");
        hark.close();
    }

    private static boolean await(Hark hark, String workflowId, Supplier<CompletableFuture<?>> start) throws Exception {
        return await(hark, workflowId, start, () -> {});
    }

    /**
     * Starts, resumes or reports a workflow, then prints its progress until it finishes.
     *
     * @return false if the runtime stopped first
     */
    private static boolean await(Hark hark, String workflowId, Supplier<CompletableFuture<?>> start, Runnable hint)
            throws Exception {
        WorkflowStatus previous = status(hark, workflowId);
        CompletableFuture<?> output;
        if (previous == WorkflowStatus.SUCCESSFUL) {
            System.out.println(
                    "Workflow " + workflowId + " finished in an earlier run; its output: " + hark.output(workflowId));
            return true;
        } else if (previous == WorkflowStatus.RESUMABLE || previous == WorkflowStatus.FAILED) {
            System.out.println("Workflow " + workflowId + " was interrupted (" + previous
                    + "): resuming it from its checkpoints, not starting over.");
            output = hark.resumeAsync(workflowId);
        } else {
            if (previous != null) {
                hark.delete(workflowId);
            }
            output = start.get();
        }
        hint.run();
        int ticks = 0;
        while (true) {
            try {
                Object result = output.get(1, TimeUnit.SECONDS);
                System.out.println("Workflow " + workflowId + " is " + hark.status(workflowId) + "; output: " + result);
                return true;
            } catch (ExecutionException stopped) {
                System.out.println("The runtime stopped before " + workflowId + " finished ("
                        + stopped.getCause().getMessage() + "). Run again to resume it.");
                return false;
            } catch (TimeoutException stillWaiting) {
                if (ticks++ % 10 == 0) {
                    System.out.println("  ... " + workflowId + " is " + hark.status(workflowId) + " at "
                            + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " (parked, no thread held)");
                }
            }
        }
    }

    private static WorkflowStatus status(Hark hark, String workflowId) {
        return hark.list().stream()
                .filter(w -> w.id().equals(workflowId))
                .map(w -> w.status())
                .findFirst()
                .orElse(null);
    }
}
