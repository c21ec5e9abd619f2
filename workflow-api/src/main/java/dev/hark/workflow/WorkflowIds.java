package dev.hark.workflow;

import java.util.UUID;

/**
 * The rules for workflow ids and task names. Ids travel in URLs ({@code /event/send_event/{id}}),
 * file names and logs, so they are kept to a safe alphabet and refused with a specific reason.
 */
public final class WorkflowIds {

    /** The longest id accepted. */
    public static final int MAX_LENGTH = 128;

    private WorkflowIds() {}

    /** @return a fresh id for a workflow started without one */
    public static String generate() {
        return "wf-" + UUID.randomUUID();
    }

    /**
     * @return {@code id}, if valid
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String requireValid(String id) {
        String problem = problem(id, "workflow id");
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return id;
    }

    static String requireValidTaskName(String name) {
        String problem = problem(name, "task name");
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return name;
    }

    /** @return what is wrong with {@code id}, or null if nothing is */
    public static String problem(String id, String what) {
        if (id == null) {
            return what + " is missing (null)";
        }
        if (id.isEmpty()) {
            return what + " is empty";
        }
        if (id.length() > MAX_LENGTH) {
            return what + " is " + id.length() + " characters long; the limit is " + MAX_LENGTH;
        }
        if (id.equals(".") || id.contains("..")) {
            return what + " '" + id + "' contains '..' or is '.', which could name a parent directory";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '/' || c == '\\') {
                return what + " '" + printable(id) + "' contains a path separator '" + c + "' at index " + i;
            }
            if (Character.isISOControl(c)) {
                return what + " '" + printable(id) + "' contains control character U+" + String.format("%04X", (int) c)
                        + " at index " + i;
            }
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':'
                    || c == '@'
                    || c == '+'
                    || c == '=')) {
                return what + " '" + printable(id) + "' contains '" + c + "' at index " + i
                        + "; use letters, digits and - _ . : @ + =";
            }
        }
        return null;
    }

    private static String printable(String id) {
        StringBuilder out = new StringBuilder();
        id.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
