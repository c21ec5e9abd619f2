package dev.hark.tck.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules of {@code docs/SPEC.md}: every row of a table whose header has a {@code rule} and a
 * {@code text} column (the other tables, which say where a rule is checked or which test checks
 * it, only cite rules).
 */
final class Spec {

    static final Pattern RULE_ID = Pattern.compile("\\b[LR]\\d+\\.\\d+\\b");
    private static final Pattern CELL_SPLIT = Pattern.compile("(?<!\\\\)\\|");

    private Spec() {}

    /** @return the repository's root: the nearest folder above the working directory with {@code docs/SPEC.md} */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/SPEC.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docs/SPEC.md above " + Path.of("").toAbsolutePath());
    }

    static Map<String, SpecRule> rules(Path spec) {
        try {
            return rules(Files.readAllLines(spec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, SpecRule> rules(List<String> lines) {
        Map<String, SpecRule> rules = new LinkedHashMap<>();
        List<String> header = null;
        for (String line : lines) {
            if (!line.startsWith("|")) {
                header = null;
                continue;
            }
            List<String> cells = cells(line);
            if (header == null) {
                header = cells;
                continue;
            }
            int id = header.indexOf("rule");
            int text = header.indexOf("text");
            if (id < 0
                    || text < 0
                    || cells.get(0).startsWith("---")
                    || !RULE_ID.matcher(cells.get(id)).matches()) {
                continue;
            }
            int level = header.indexOf("level");
            int intent = header.indexOf("intent");
            SpecRule rule = new SpecRule(
                    cells.get(id),
                    level < 0 ? "" : plain(cells.get(level)),
                    plain(cells.get(text)),
                    intent < 0 || intent >= cells.size() ? "" : plain(cells.get(intent)));
            if (rules.put(rule.id(), rule) != null) {
                throw new IllegalStateException("docs/SPEC.md states " + rule.id() + " twice");
            }
        }
        return rules;
    }

    private static List<String> cells(String row) {
        String[] parts = CELL_SPLIT.split(row.strip(), -1);
        List<String> cells = new ArrayList<>();
        for (int i = 1; i < parts.length - 1; i++) {
            cells.add(parts[i].strip());
        }
        return cells;
    }

    /** Markdown cell → the plain text a reader sees. */
    static String plain(String markdown) {
        return markdown.replace("\\|", "|")
                .replace("**", "")
                .replace("`", "")
                .replaceAll("\\s+", " ")
                .strip();
    }
}
