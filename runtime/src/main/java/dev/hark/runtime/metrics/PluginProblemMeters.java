package dev.hark.runtime.metrics;

import dev.hark.runtime.plugin.PluginProblem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The plugin problems found when the plugins were loaded, as gauges: they do not change while serving. */
public final class PluginProblemMeters {

    /** {@code hark_plugin_problems{plugin, rule}}. */
    public static final String NAME = "hark.plugin.problems";

    private PluginProblemMeters() {}

    /** Registers one gauge per plugin and rule broken, counting the problems; nothing when there are none. */
    public static void register(MeterRegistry registry, Collection<PluginProblem> problems) {
        Map<String, Map<String, Long>> counts = problems.stream()
                .collect(Collectors.groupingBy(
                        PluginProblem::plugin,
                        TreeMap::new,
                        Collectors.groupingBy(PluginProblem::rule, TreeMap::new, Collectors.counting())));
        counts.forEach((plugin, rules) -> rules.forEach((rule, count) -> Gauge.builder(NAME, count, Long::doubleValue)
                .strongReference(true) // a boxed count nobody else holds: a weak reference would read NaN
                .description("Rules broken by the plugins when they were loaded; a refused plugin did not load")
                .tag("plugin", plugin)
                .tag("rule", rule)
                .register(registry)));
    }
}
