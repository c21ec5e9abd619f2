package dev.hark.tck.spec;

/**
 * One rule of {@code docs/SPEC.md}, as its table states it, in plain text (no Markdown).
 *
 * @param level MUST, SHOULD, "MUST / SHOULD", "guarantee", or empty for a table without levels
 */
record SpecRule(String id, String level, String text, String intent) {

    boolean isListenersDuty() {
        return id.startsWith("L");
    }
}
