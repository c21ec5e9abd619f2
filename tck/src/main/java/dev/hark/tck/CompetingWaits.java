package dev.hark.tck;

import dev.hark.api.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Several workflows waiting on one channel of the source at once, with events published before
 * and while they wait [L4.5]: every published event must reach exactly one of them. Keeps the
 * ledger (which event reached which workflows, which never arrived) and names the rule the
 * evidence points to: an id that was never published is a redelivery under a new id [L3.5]; one
 * occurrence at two waits of a listener that declares {@code @UnsharedSource} breaks that
 * declaration [L3.9]; otherwise the competition itself [L4.5].
 */
final class CompetingWaits {

    /** What one wait ended with. */
    private record Received(String workflow, String id, Throwable failure) {}

    private final String listener;
    private final boolean unshared;
    private final Duration patience;
    private final List<String> workflows = new ArrayList<>();
    /** published id → "ahead" or "while waiting", in publication order */
    private final Map<String, String> published = new LinkedHashMap<>();

    private final List<String> publishFailures = new ArrayList<>();
    private final List<Received> received = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();

    CompetingWaits(Class<?> listener, boolean unshared, Duration patience) {
        this.listener = listener.getName();
        this.unshared = unshared;
        this.patience = patience;
    }

    /**
     * Runs the competition: {@code ahead} events published before any wait starts, then {@code waits}
     * workflows started, then the rest published while they wait; one event per wait.
     *
     * @param start starts the workflow with the given id and returns its output
     * @param publish publishes one event (payload, workflow it is addressed to) and returns its id
     */
    void run(
            int waits,
            int ahead,
            Function<Integer, String> workflowIds,
            Function<String, CompletableFuture<Object>> start,
            BiFunction<String, String, CompletableFuture<String>> publish)
            throws InterruptedException {
        for (int i = 0; i < waits; i++) {
            workflows.add(workflowIds.apply(i));
        }
        for (int i = 0; i < ahead; i++) {
            record(publish.apply("compete-ahead-" + i, workflows.get(i)), "ahead");
        }
        Map<String, CompletableFuture<Object>> outputs = new LinkedHashMap<>();
        for (String workflow : workflows) {
            outputs.put(workflow, start.apply(workflow));
        }
        for (int i = ahead; i < waits; i++) {
            record(publish.apply("compete-later-" + i, workflows.get(i)), "while waiting");
        }
        long deadline = System.nanoTime() + patience.toNanos();
        for (Map.Entry<String, CompletableFuture<Object>> output : outputs.entrySet()) {
            long left = Math.max(1, deadline - System.nanoTime());
            try {
                Object got = output.getValue().get(left, TimeUnit.NANOSECONDS);
                received.add(new Received(output.getKey(), ((Event) got).id(), null));
            } catch (TimeoutException e) {
                pending.add(output.getKey());
            } catch (ExecutionException e) {
                received.add(new Received(output.getKey(), null, e.getCause()));
            }
        }
    }

    private void record(CompletableFuture<String> publication, String when) throws InterruptedException {
        try {
            published.put(publication.get(patience.toMillis(), TimeUnit.MILLISECONDS), when);
        } catch (ExecutionException | TimeoutException e) {
            publishFailures.add(when + ": " + (e instanceof ExecutionException ? e.getCause() : e));
        }
    }

    /** Throws an {@link AssertionError} naming the broken rule, with the ledger, unless every event reached exactly one wait. */
    void check(String sourceCommitted) {
        if (!publishFailures.isEmpty()) {
            throw new IllegalStateException("the fixture could not publish: " + publishFailures);
        }
        Map<String, List<String>> reached = reachedBy();
        Optional<Received> failed =
                received.stream().filter(r -> r.failure() != null).findFirst();
        if (failed.isPresent()) {
            throw Attribution.workflowFailed(
                    "L4.5",
                    failed.get().workflow(),
                    failed.get().failure(),
                    "while " + workflows.size() + " waits competed on one channel",
                    ledger(reached, sourceCommitted));
        }
        if (received.stream().anyMatch(r -> r.failure() == null && r.id() == null)) {
            throw new AssertionError("[L1.5] a competing wait received an event whose id() is null: the id did not"
                    + " survive the runtime's JSON round trip (every checkpoint is one)\n"
                    + ledger(reached, sourceCommitted));
        }
        List<String> unknown = reached.keySet().stream()
                .filter(id -> !published.containsKey(id))
                .toList();
        if (!unknown.isEmpty()) {
            throw new AssertionError("[L3.5] competing waits received " + unknown + ", which the source never published"
                    + " (it published " + published.keySet()
                    + "): the same occurrence, polled again by another wait, got a"
                    + " new id(), so the runtime's claim on the id [R7.1] could not keep a second wait from taking it."
                    + " Derive id() from the occurrence (a row key, a message id), never from the poll\n"
                    + ledger(reached, sourceCommitted));
        }
        List<String> twice = reached.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(Map.Entry::getKey)
                .toList();
        if (!twice.isEmpty()) {
            String what = twice.stream()
                    .map(id -> id + " reached " + reached.get(id))
                    .reduce((a, b) -> a + "; " + b)
                    .get();
            if (unshared) {
                throw new AssertionError(
                        "[L3.9] " + listener + " is annotated @UnsharedSource, so the runtime claims none"
                                + " of its events, but one occurrence reached several waits on one channel: " + what
                                + ". Remove"
                                + " @UnsharedSource (the runtime's claims then keep competing waits exactly-once), or make each"
                                + " occurrence exist for one wait only\n" + ledger(reached, sourceCommitted));
            }
            throw new AssertionError("[L4.5] competing waits on one channel: " + what + " — one occurrence was taken by"
                    + " more than one wait. With stable ids [L3.5] the runtime refuses a second checkpoint of a claimed"
                    + " event [R7.1] and the refused wait polls again; poll the first event not yet committed and commit"
                    + " it in eventCheckpointed\n" + ledger(reached, sourceCommitted));
        }
        List<String> lost = published.keySet().stream()
                .filter(id -> !reached.containsKey(id))
                .toList();
        if (!lost.isEmpty() || !pending.isEmpty()) {
            throw new AssertionError("[L4.5] competing waits on one channel: "
                    + (lost.isEmpty() ? "" : "event(s) " + lost + " never arrived")
                    + (lost.isEmpty() || pending.isEmpty() ? "" : " and ")
                    + (pending.isEmpty() ? "" : "workflow(s) " + pending + " received nothing") + " within "
                    + patience.toMillis() + " ms ("
                    + TckSettings.LIVENESS_MILLIS + "): an event was lost, or waits refused by the runtime's claim keep"
                    + " polling an event that was committed but not forgotten [L4.4]\n"
                    + ledger(reached, sourceCommitted));
        }
    }

    private Map<String, List<String>> reachedBy() {
        Map<String, List<String>> reached = new LinkedHashMap<>();
        for (Received r : received) {
            if (r.failure() == null) {
                reached.computeIfAbsent(String.valueOf(r.id()), k -> new ArrayList<>())
                        .add(shortName(r.workflow()));
            }
        }
        return reached;
    }

    private String ledger(Map<String, List<String>> reached, String sourceCommitted) {
        long ahead = published.values().stream().filter("ahead"::equals).count();
        StringBuilder out = new StringBuilder();
        out.append("ledger: ")
                .append(workflows.size())
                .append(" waits on one channel, ")
                .append(ahead)
                .append(" event(s) published before they started, ")
                .append(published.size() - ahead)
                .append(" while they waited\n");
        out.append(String.format("%-28s %-14s %s%n", "event", "published", "reached"));
        Set<String> ids = new LinkedHashSet<>(published.keySet());
        ids.addAll(reached.keySet());
        for (String id : ids) {
            List<String> by = reached.getOrDefault(id, List.of());
            out.append(String.format(
                    "%-28s %-14s %s%n",
                    id, published.getOrDefault(id, "never"), by.isEmpty() ? "(never arrived)" : String.join(", ", by)));
        }
        for (Received r : received) {
            if (r.failure() != null) {
                out.append("  ")
                        .append(shortName(r.workflow()))
                        .append(" failed: ")
                        .append(r.failure())
                        .append('\n');
            }
        }
        if (!pending.isEmpty()) {
            out.append("  still waiting: ")
                    .append(pending.stream().map(CompetingWaits::shortName).toList())
                    .append('\n');
        }
        if (sourceCommitted != null) {
            out.append("  committed at source: ").append(sourceCommitted).append('\n');
        }
        return out.toString();
    }

    static String shortName(String workflow) {
        int dash = workflow.lastIndexOf('-');
        return dash < 0 ? workflow : workflow.substring(dash + 1);
    }

    static String sorted(Optional<Set<String>> ids) {
        return ids.map(set -> String.join(",", new TreeSet<>(set))).orElse(null);
    }
}
