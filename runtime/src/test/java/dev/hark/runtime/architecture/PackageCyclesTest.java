package dev.hark.runtime.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The runtime's packages depend on each other in one direction: a cycle (say workflow → event →
 * storage → workflow) would make them one package in all but name, and no part of it could be
 * moved into an artifact of its own. Read from the compiled classes' references, so Javadoc links
 * do not count and every real use does.
 */
class PackageCyclesTest {

    private static final String ROOT = "dev.hark.runtime";

    @Test
    void theRuntimesPackagesFormNoCycle() {
        Map<String, Set<String>> uses = packageGraph();
        assertTrue(
                uses.keySet()
                        .containsAll(List.of(
                                ROOT,
                                ROOT + ".engine",
                                ROOT + ".event",
                                ROOT + ".storage",
                                ROOT + ".http",
                                ROOT + ".plugin")),
                "the scan found the runtime's packages: " + uses.keySet());
        List<List<String>> cycles = stronglyConnected(uses).stream()
                .filter(component -> component.size() > 1)
                .toList();
        assertEquals(List.of(), cycles, "packages that depend on each other, with their dependencies: " + uses);
    }

    @Test
    void aWorkflowsPersistedFormUsesNoPartOfTheEngine() {
        Set<String> uses = packageGraph().getOrDefault(ROOT + ".workflow", Set.of());
        for (String forbidden : List.of(".event", ".engine", ".storage", ".http", ".plugin", ".cli")) {
            assertTrue(
                    !uses.contains(ROOT + forbidden),
                    "dev.hark.runtime.workflow uses " + ROOT + forbidden + ": " + uses);
        }
    }

    private static Map<String, Set<String>> packageGraph() {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (ScanResult scan = new ClassGraph()
                .enableInterClassDependencies()
                .acceptPackages(ROOT)
                .rejectPackages(ROOT + ".architecture")
                .scan()) {
            for (ClassInfo type : scan.getAllClasses()) {
                if (!type.getClasspathElementURI().toString().contains("/classes")
                        || type.getClasspathElementURI().toString().contains("test-classes")) {
                    continue; // main code only
                }
                String from = type.getPackageName();
                Set<String> targets = uses.computeIfAbsent(from, p -> new TreeSet<>());
                for (ClassInfo used : type.getClassDependencies()) {
                    String to = used.getPackageName();
                    if (!to.equals(from) && to.startsWith(ROOT)) {
                        targets.add(to);
                    }
                }
            }
        }
        return uses;
    }

    /** Tarjan's algorithm: the strongly connected components of the graph, each a list of packages. */
    private static List<List<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private static void connect(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<List<String>> components,
            int[] counter) {
        index.put(node, counter[0]);
        low.put(node, counter[0]);
        counter[0]++;
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, components, counter);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            List<String> component = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            components.add(component);
        }
    }
}
