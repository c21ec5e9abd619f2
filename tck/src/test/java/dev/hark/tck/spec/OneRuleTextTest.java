package dev.hark.tck.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.hark.tck.ListenerVerificationRules;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A rule's text lives in {@code docs/SPEC.md}; the api's Javadoc quotes it, the runtime's and the
 * kit's messages cite its id, and the kit's rules interface has a test for it. Each test here fails
 * when one side is edited and the other is not.
 */
class OneRuleTextTest {

    private static final Path ROOT = Spec.repositoryRoot();
    private static final Map<String, SpecRule> SPEC = Spec.rules(ROOT.resolve("docs/SPEC.md"));
    private static final Pattern RULE_METHOD = Pattern.compile("(required|optional|untested)_([LR])(\\d+)_(\\d+)_\\w+");

    @Test
    void theSpecStatesEveryRuleWithItsIntent() {
        assertFalse(SPEC.isEmpty(), "no rule tables found in docs/SPEC.md");
        List<String> withoutIntent = SPEC.values().stream()
                .filter(rule ->
                        !rule.intent().startsWith("Intent: ") || rule.intent().length() < "Intent: ".length() + 10)
                .map(SpecRule::id)
                .toList();
        assertEquals(List.of(), withoutIntent, "rules of docs/SPEC.md without an 'Intent: …' (why the rule exists)");
    }

    @Test
    void everyRuleTheApiQuotesReadsAsTheSpecStatesIt() {
        List<JavadocRules.Quote> quotes = JavadocRules.quotes(ROOT.resolve("api/src/main/java"));
        assertFalse(quotes.isEmpty(), "the api's Javadoc quotes no rule");
        List<String> drift = new ArrayList<>();
        for (JavadocRules.Quote quote : quotes) {
            SpecRule rule = SPEC.get(quote.id());
            if (rule == null) {
                drift.add(quote.where() + " quotes " + quote.id() + ", which docs/SPEC.md does not state");
            } else if (!quote.text().equals(rule.text())) {
                drift.add(quote.where() + " quotes " + quote.id() + " as\n    " + quote.text()
                        + "\n  docs/SPEC.md states\n    " + rule.text());
            } else if (!quote.level().isEmpty() && !quote.level().equals(rule.level())) {
                drift.add(quote.where() + " gives " + quote.id() + " the level " + quote.level() + ", docs/SPEC.md "
                        + rule.level());
            }
        }
        assertEquals("", String.join("\n", drift), "the api's Javadoc and docs/SPEC.md differ; edit both");
    }

    @Test
    void everyRuleTheApisTheRuntimeTheServerAndTheKitCiteIsInTheSpec() {
        List<String> unknown = new ArrayList<>();
        for (String module : List.of("api", "workflow-api", "runtime", "distribution", "tck")) {
            for (JavadocRules.Citation citation : JavadocRules.citations(ROOT.resolve(module + "/src/main/java"))) {
                if (!SPEC.containsKey(citation.id())) {
                    unknown.add(module + "/" + citation.where() + " cites " + citation.id());
                }
            }
        }
        assertEquals(List.of(), unknown, "rule ids that docs/SPEC.md does not state");
    }

    @Test
    void everyListenerRuleHasATestOfTheKitAndEveryTestNamesARuleOfTheSpec() {
        TreeSet<String> tested = new TreeSet<>();
        List<String> wrong = new ArrayList<>();
        for (Method method : ListenerVerificationRules.class.getMethods()) {
            Matcher name = RULE_METHOD.matcher(method.getName());
            if (!name.matches()) {
                wrong.add(method.getName() + " is not named required_|optional_|untested_<rule>_…");
                continue;
            }
            String id = name.group(2) + name.group(3) + "." + name.group(4);
            SpecRule rule = SPEC.get(id);
            if (rule == null) {
                wrong.add(method.getName() + " names " + id + ", which docs/SPEC.md does not state");
                continue;
            }
            tested.add(id);
            String kind = name.group(1);
            if (kind.equals("required") && !rule.level().contains("MUST")
                    || kind.equals("optional") && !rule.level().contains("SHOULD")) {
                wrong.add(method.getName() + " is " + kind + ", but " + id + " is a " + rule.level());
            }
        }
        TreeSet<String> untested = new TreeSet<>();
        SPEC.values().stream()
                .filter(SpecRule::isListenersDuty)
                .map(SpecRule::id)
                .filter(id -> !tested.contains(id))
                .forEach(untested::add);
        assertEquals(List.of(), wrong, "methods of ListenerVerificationRules");
        assertEquals(
                new TreeSet<>(),
                untested,
                "listener rules of docs/SPEC.md without a method in ListenerVerificationRules"
                        + " (add a required_/optional_ test, or an untested_ one that says where the rule is enforced)");
    }
}
