package dev.hark.tck;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the rule the evidence points to. A check is written for one rule, but what it sees may be
 * another rule broken first: a workflow the runtime failed (its message cites the rule, e.g. "…
 * [L3.2]"), a duplicate seen while looking for a loss. The failure then starts with that rule and
 * its evidence, and says which check saw it.
 */
final class Attribution {

    private static final Pattern RULE = Pattern.compile("\\[?\\b([LR]\\d+\\.\\d+)\\b\\]?");

    private Attribution() {}

    /** @return the first rule id ({@code L3.2}) cited in {@code text}, if any */
    static String ruleIn(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = RULE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /**
     * A workflow of the kit failed: the cause comes first, under the rule it cites (else
     * {@code checking}), then what the kit was checking.
     */
    static AssertionError workflowFailed(String checking, String workflow, Throwable cause, String situation) {
        return workflowFailed(checking, workflow, cause, situation, "");
    }

    /** The same, with {@code details} (a ledger) on the lines below. */
    static AssertionError workflowFailed(
            String checking, String workflow, Throwable cause, String situation, String details) {
        String message = String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
        String rule = ruleIn(message);
        String cited = rule != null ? rule : checking;
        String who = workflow.startsWith("the ") ? workflow : "workflow " + workflow;
        return new AssertionError(
                "[" + cited + "] " + who + " failed: " + message
                        + (cited.equals(checking) ? "" : " — seen while checking " + checking) + " (" + situation + ")"
                        + (details.isEmpty() ? "" : "\n" + details),
                cause);
    }
}
