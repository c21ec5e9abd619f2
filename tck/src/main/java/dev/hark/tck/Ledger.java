package dev.hark.tck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What happened during one crash schedule: published ids, the event each workflow received, the
 * crashes, and what the source says it committed. Checks the exactly-once invariant and renders
 * the table a failure message shows.
 */
final class Ledger {

    private static final class Row {
        final int step;
        final String workflow;
        final Step plan;
        String published;
        String delivered;
        boolean restarted;
        String committed = "-";
        Optional<Set<String>> committedIds = Optional.empty();

        Row(int step, String workflow, Step plan) {
            this.step = step;
            this.workflow = workflow;
            this.plan = plan;
        }
    }

    private final String rule;
    private final List<Step> schedule;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Ledger(String rule, List<Step> schedule) {
        this.rule = rule;
        this.schedule = List.copyOf(schedule);
    }

    void plan(int step, String workflow, Step plan) {
        rows.add(new Row(step, workflow, plan));
    }

    void published(int step, String id) {
        rows.get(step).published = id;
    }

    void delivered(int step, String id, boolean afterRestart) {
        Row row = rows.get(step);
        if (id == null) {
            row.delivered = "(id null)";
            fail(
                    "L1.5",
                    "workflow " + label(row) + " received an event whose id() is null: the id did not survive the"
                            + " runtime's JSON round trip (every checkpoint is one)");
        }
        row.delivered = id;
        row.restarted = afterRestart;
    }

    void committed(int step, Optional<Set<String>> ids) {
        rows.get(step).committed =
                ids.map(set -> String.join(",", new TreeSet<>(set))).orElse("(not inspectable)");
        rows.get(step).committedIds = ids;
    }

    void note(String line) {
        notes.add(line);
    }

    /** Checks what must hold after every step: nothing delivered that was not published, nothing twice. */
    void checkStep() {
        Map<String, String> firstReceiver = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.delivered == null) {
                continue;
            }
            if (!isPublished(row.delivered)) {
                // an id the fixture never returned: an occurrence delivered again under a new id
                fail(
                        "L3.5",
                        "event " + row.delivered + " reached workflow " + label(row) + " but was never published:"
                                + " an occurrence polled again carried a new id()");
            }
            String earlier = firstReceiver.putIfAbsent(row.delivered, label(row));
            if (earlier != null) {
                // a second workflow got an event the first one committed: whatever the schedule was
                // looking for, this is a duplicate
                fail("L4.4", "event " + row.delivered + " delivered twice: to " + earlier + " and " + label(row));
            }
        }
    }

    /** Checks what must hold at the end: every published event reached a workflow exactly once. */
    void checkComplete() {
        checkStep();
        for (Row row : rows) {
            if (row.published != null && rows.stream().noneMatch(r -> row.published.equals(r.delivered))) {
                fail("event " + row.published + " published but never delivered");
            }
        }
    }

    /** A workflow received nothing within the bound. */
    void noDelivery(int step, long millis) {
        Row row = rows.get(step);
        List<String> undelivered = rows.stream()
                .map(r -> r.published)
                .filter(p -> p != null)
                .filter(p -> rows.stream().noneMatch(r -> p.equals(r.delivered)))
                .toList();
        for (Row earlier : rows) {
            if (earlier.step < step
                    && earlier.delivered != null
                    && earlier.committedIds.isPresent()
                    && !earlier.committedIds.get().contains(earlier.delivered)) {
                // the runtime recorded that commit (the workflow finished), the source kept the event:
                // later waits poll it again and the runtime's claim refuses it, so they starve
                fail(
                        "L4.4",
                        "workflow " + label(row) + " received nothing within " + millis + " ms, and event "
                                + earlier.delivered + ", committed by " + label(earlier) + " (its workflow finished, so"
                                + " eventCheckpointed completed), is still not committed at the source: the commit did not make"
                                + " the source forget it, so the next wait polls it again"
                                + (undelivered.isEmpty()
                                        ? ""
                                        : "; never delivered: " + String.join(", ", undelivered)));
            }
        }
        fail((undelivered.isEmpty()
                        ? ""
                        : "event " + String.join(", ", undelivered) + " published but never delivered: ")
                + "workflow " + label(row) + " received nothing within " + millis + " ms");
    }

    private boolean isPublished(String id) {
        return rows.stream().anyMatch(r -> id.equals(r.published));
    }

    private static String label(Row row) {
        return row.workflow + (row.restarted ? " (after restart)" : "");
    }

    void fail(String mismatch) {
        fail(rule, mismatch);
    }

    /** Fails under the rule the evidence points to, saying which schedule saw it when that is another rule's. */
    void fail(String evidence, String mismatch) {
        throw new AssertionError("[" + evidence + "] exactly-once violated"
                + (evidence.equals(rule) ? "" : " (seen by the " + rule + " crash schedule)") + ": " + mismatch + "\n"
                + render());
    }

    /** A workflow of the schedule failed: its cause first, under the rule the cause cites. */
    void workflowFailed(String workflow, Throwable cause) {
        throw Attribution.workflowFailed(rule, workflow, cause, "in a crash schedule", render());
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("schedule: ").append(schedule).append('\n');
        out.append(String.format(
                "%-5s %-8s %-34s %-28s %-40s %s%n",
                "step", "workflow", "plan", "published", "delivered", "committed at source (after step)"));
        for (Row row : rows) {
            out.append(String.format(
                    "%-5d %-8s %-34s %-28s %-40s %s%n",
                    row.step + 1,
                    shortName(row.workflow),
                    row.plan,
                    row.published == null ? "-" : row.published,
                    row.delivered == null ? "(nothing)" : row.delivered + (row.restarted ? " (after restart)" : ""),
                    row.committed));
        }
        notes.forEach(n -> out.append("  ").append(n).append('\n'));
        return out.toString();
    }

    private static String shortName(String workflow) {
        int dash = workflow.lastIndexOf('-');
        return dash < 0 ? workflow : workflow.substring(dash + 1);
    }
}
