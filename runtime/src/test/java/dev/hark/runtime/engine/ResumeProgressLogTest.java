package dev.hark.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The progress lines of a resumption, through a real {@link ResumeWindow}: one when it begins, one
 * each tenth of the way or after 2 s of silence (on a clock the test moves), and one at the end.
 */
class ResumeProgressLogTest {

    private static final Pattern PROGRESS = Pattern.compile("resumed ([0-9,]+) of 2,000 workflows \\((\\d+)%\\)");

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();

    private ResumeWindow window(int expected) {
        return new ResumeWindow(
                expected,
                new ResumeProgressLog(
                        line -> {
                            synchronized (lines) {
                                lines.add(line);
                            }
                        },
                        nanos::get));
    }

    @Test
    void aLineEachTenthOfTheWayAndOneAtTheEnd() {
        ResumeWindow window = window(2_000);
        Map<String, CompletableFuture<Object>> outputs = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            CompletableFuture<Void> parked = new CompletableFuture<>();
            window.resuming(parked);
            parked.complete(null);
            outputs.put("w-" + i, new CompletableFuture<>());
        }
        window.listed(outputs, null);
        assertTrue(window.done().isDone());

        List<String> expected = new ArrayList<>();
        expected.add("resuming 2,000 workflows; until each waits for its events again, an event sent to it is"
                + " answered 'retry' (503) and /health says starting");
        for (int tenth = 1; tenth < 10; tenth++) {
            expected.add(String.format(Locale.ROOT, "resumed %,d of 2,000 workflows (%d%%)", tenth * 200, tenth * 10));
        }
        expected.add("resumed 2,000 of 2,000 workflows (100%); every one waits for its events again");
        assertEquals(expected, lines);
    }

    @Test
    void twoSecondsOfSilenceBringALineBetweenTenths() {
        ResumeWindow window = window(2_000);
        for (int i = 1; i <= 250; i++) {
            if (i == 230) {
                nanos.addAndGet(ResumeProgressLog.INTERVAL_NANOS); // slow going after the 10% line
            }
            window.resuming(CompletableFuture.completedFuture(null));
        }
        assertEquals(
                List.of("resumed 200 of 2,000 workflows (10%)", "resumed 230 of 2,000 workflows (11%)"),
                lines.subList(1, lines.size()));
    }

    @Test
    void aSmallResumptionLogsItsFirstAndLastLinesOnlyAndAnEmptyOneNothing() {
        ResumeWindow window = window(3);
        Map<String, CompletableFuture<Object>> outputs = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            window.resuming(CompletableFuture.completedFuture(null));
            outputs.put("w-" + i, new CompletableFuture<>());
        }
        window.listed(outputs, null);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("resumed 3 of 3 workflows (100%); every one waits for its events again", lines.get(1));

        lines.clear();
        window(0).listed(Map.of(), null);
        assertEquals(List.of(), lines);
    }

    @Test
    void aResumptionThatStopsSaysWhere() {
        ResumeWindow window = window(2_000);
        for (int i = 0; i < 5; i++) {
            window.resuming(CompletableFuture.completedFuture(null));
        }
        window.abandon(new IllegalStateException("the runtime closed"));
        assertEquals(
                "resuming stopped after 5 of 2,000 workflows: java.lang.IllegalStateException: the runtime closed",
                lines.get(lines.size() - 1));
    }

    @Test
    void runsParkedOnManyThreadsReportAGrowingCountEndingAtTheTotal() throws Exception {
        ResumeWindow window = window(2_000);
        List<CompletableFuture<Void>> parked = new ArrayList<>();
        Map<String, CompletableFuture<Object>> outputs = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            CompletableFuture<Void> run = new CompletableFuture<>();
            window.resuming(run);
            parked.add(run);
            outputs.put("w-" + i, new CompletableFuture<>());
        }
        window.listed(outputs, null);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                int first = t;
                threads.execute(() -> {
                    for (int i = first; i < parked.size(); i += 4) {
                        parked.get(i).complete(null);
                    }
                });
            }
            window.done().get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        List<String> progress;
        synchronized (lines) {
            progress = List.copyOf(lines.subList(1, lines.size() - 1));
            assertEquals(
                    "resumed 2,000 of 2,000 workflows (100%); every one waits for its events again",
                    lines.get(lines.size() - 1));
        }
        assertTrue(!progress.isEmpty() && progress.size() <= 9, progress.toString());
        int previous = 0;
        for (String line : progress) {
            Matcher m = PROGRESS.matcher(line);
            assertTrue(m.matches(), line);
            int count = Integer.parseInt(m.group(1).replace(",", ""));
            assertTrue(count > previous && count < 2_000, progress.toString());
            previous = count;
        }
    }
}
