package dev.hark.tck.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The rules Java sources cite, and the ones their Javadoc quotes: a list item that starts with a
 * rule id, {@code <li>[L1.3] (MUST) text}, quotes that rule — level in parentheses, then its text
 * as {@code docs/SPEC.md} states it. An id anywhere else is a citation.
 */
final class JavadocRules {

    /** A cited rule id: where it is, and the id. */
    record Citation(String where, String id) {}

    /** A quoted rule: where, the id, the level given (empty if none), and the text in plain form. */
    record Quote(String where, String id, String level, String text) {}

    private static final Pattern QUOTE = Pattern.compile(
            "<li>\\s*\\[([LR]\\d+\\.\\d+)]\\s*(?:\\(([^)]*)\\)\\s*)?(.*?)(?=<li>|</ul>|\\*/)", Pattern.DOTALL);

    private JavadocRules() {}

    static List<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Citation> citations(Path root) {
        List<Citation> citations = new ArrayList<>();
        for (Path file : javaFiles(root)) {
            List<String> lines = read(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher ids = Spec.RULE_ID.matcher(lines.get(i));
                while (ids.find()) {
                    citations.add(new Citation(root.relativize(file) + ":" + (i + 1), ids.group()));
                }
            }
        }
        return citations;
    }

    static List<Quote> quotes(Path root) {
        List<Quote> quotes = new ArrayList<>();
        for (Path file : javaFiles(root)) {
            String source = String.join("\n", read(file));
            Matcher quote = QUOTE.matcher(source);
            while (quote.find()) {
                int line = source.substring(0, quote.start()).split("\n", -1).length;
                quotes.add(new Quote(
                        root.relativize(file) + ":" + line,
                        quote.group(1),
                        quote.group(2) == null ? "" : quote.group(2).strip(),
                        plain(quote.group(3))));
            }
        }
        return quotes;
    }

    /** Javadoc → the plain text a reader sees: no comment stars, tags or markup. */
    static String plain(String javadoc) {
        String text = javadoc.replaceAll("\n\\s*\\*(?!/)", " ");
        // code may hold "<A, E>", which is text, not a tag to strip
        text = Pattern.compile("\\{@(?:code|literal) ([^}]*)}")
                .matcher(text)
                .replaceAll(code -> Matcher.quoteReplacement(
                        code.group(1).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")));
        text = text.replaceAll("\\{@link(?:plain)? [^} ]+ ([^}]*)}", "$1");
        text = text.replaceAll("\\{@link(?:plain)? #?([^}]*)}", "$1").replace('#', '.');
        text = text.replaceAll("<[^>]+>", "");
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return text.replaceAll("\\s+", " ").strip();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
