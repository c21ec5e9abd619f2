package dev.hark.runtime.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition (format 0.0.4, and the OpenMetrics 1.0 subset Micrometer
 * writes): every line must be a well-formed {@code # HELP}, {@code # TYPE} or sample line, every
 * sample must belong to a family whose TYPE came before it, or parsing fails with the line.
 */
record Exposition(Map<String, String> types, Map<String, String> helps, List<Sample> samples) {

    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "summary", "untyped", "unknown", "info", "stateset");
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (\\S+)");
    private static final Pattern SAMPLE =
            Pattern.compile("(" + NAME + ")(?:\\{(.*)})? ([-+]?(?:[0-9.eE+-]+|NaN|Inf|\\+Inf))(?: [0-9.]+)?(?: # .*)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(?:,|$)");
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total", "_created", "_max");

    record Sample(String name, Map<String, String> labels, double value) {}

    static Exposition parse(String text, boolean openMetrics) {
        Map<String, String> types = new HashMap<>();
        Map<String, String> helps = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && !openMetrics) {
                continue;
            }
            if (line.equals("# EOF")) {
                if (!openMetrics || i != lines.size() - 1) {
                    throw new AssertionError("# EOF where it does not belong, line " + (i + 1));
                }
                continue;
            }
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                if (helps.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError("second HELP for " + m.group(1) + ": line " + (i + 1));
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                if (!TYPES.contains(m.group(2))) {
                    throw new AssertionError("unknown TYPE " + m.group(2) + ": line " + (i + 1) + ": " + line);
                }
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError("second TYPE for " + m.group(1) + ": line " + (i + 1));
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                if (family(name, types) == null) {
                    throw new AssertionError("sample with no TYPE before it: line " + (i + 1) + ": " + line);
                }
                samples.add(new Sample(name, labels(m.group(2), line), value(m.group(3))));
            } else {
                throw new AssertionError("not a HELP, TYPE or sample line: line " + (i + 1) + ": " + line);
            }
        }
        if (openMetrics && !text.endsWith("# EOF\n")) {
            throw new AssertionError("OpenMetrics must end with # EOF");
        }
        return new Exposition(types, helps, samples);
    }

    /** @return the family a sample name belongs to, or null */
    static String family(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : SUFFIXES) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    private static Map<String, String> labels(String text, String line) {
        Map<String, String> labels = new TreeMap<>();
        if (text == null || text.isEmpty()) {
            return labels;
        }
        String rest = text.endsWith(",") ? text : text + ",";
        Matcher m = LABEL.matcher(rest);
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new AssertionError("malformed labels in: " + line);
            }
            labels.put(m.group(1), m.group(2));
            at = m.end();
        }
        return labels;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** @return the samples named {@code name} whose labels include {@code labels} */
    List<Sample> find(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
    }

    /** @return the one sample's value; fails unless exactly one matches */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + labels + ", found " + found + " among " + names());
        }
        return found.get(0).value();
    }

    /** @return the value, or 0 when no sample matches (a labelled counter not yet created) */
    double valueOrZero(String name, Map<String, String> labels) {
        List<Sample> found = find(name, labels);
        return found.isEmpty() ? 0 : value(name, labels);
    }

    Map<String, Integer> names() {
        Map<String, Integer> names = new LinkedHashMap<>();
        samples.forEach(s -> names.merge(s.name(), 1, Integer::sum));
        return names;
    }
}
