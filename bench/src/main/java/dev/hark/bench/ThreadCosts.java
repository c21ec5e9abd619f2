package dev.hark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time and context switches of this process's threads, grouped by thread name, read from
 * {@code /proc/self/task} (Linux only), so the JVM's own threads (compiler, GC) are counted too.
 * Two snapshots around a phase give where its CPU went and how often threads were woken.
 */
final class ThreadCosts {

    /** Per group: CPU in clock ticks (user + system) and voluntary + involuntary context switches. */
    record Cost(long userTicks, long systemTicks, long voluntarySwitches, long involuntarySwitches) {
        Cost plus(Cost other) {
            return new Cost(
                    userTicks + other.userTicks,
                    systemTicks + other.systemTicks,
                    voluntarySwitches + other.voluntarySwitches,
                    involuntarySwitches + other.involuntarySwitches);
        }

        Cost minus(Cost other) {
            return new Cost(
                    userTicks - other.userTicks,
                    systemTicks - other.systemTicks,
                    voluntarySwitches - other.voluntarySwitches,
                    involuntarySwitches - other.involuntarySwitches);
        }
    }

    /** Linux's USER_HZ: /proc reports CPU times in these ticks. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Cost> byGroup;
    /** Bytes allocated on the heap so far, per Java thread group (JVM-internal threads allocate none). */
    private final Map<String, Long> allocatedByGroup;

    private ThreadCosts(Map<String, Cost> byGroup, Map<String, Long> allocatedByGroup) {
        this.byGroup = byGroup;
        this.allocatedByGroup = allocatedByGroup;
    }

    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** Reads every live thread; threads that exit meanwhile are skipped. */
    static ThreadCosts snapshot() {
        Map<String, Cost> groups = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (name) state ..." — the name may hold spaces and parentheses
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long user = Long.parseLong(fields[11]);
                    long system = Long.parseLong(fields[12]);
                    long voluntary = 0;
                    long involuntary = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary = Long.parseLong(
                                    line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary = Long.parseLong(
                                    line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    groups.merge(group(name), new Cost(user, system, voluntary, involuntary), Cost::plus);
                } catch (IOException | RuntimeException threadExited) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/task", e);
        }
        return new ThreadCosts(groups, allocatedByGroup());
    }

    private static Map<String, Long> allocatedByGroup() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> allocated = new HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long bytes = threads.getThreadAllocatedBytes(info.getThreadId());
                if (bytes > 0) {
                    // /proc truncates names to 15 characters; group the same way
                    String name = info.getThreadName();
                    allocated.merge(group(name.length() > 15 ? name.substring(0, 15) : name), bytes, Long::sum);
                }
            }
        }
        return allocated;
    }

    /** Prints, per group, CPU µs and context switches per event since {@code before}. */
    void printSince(ThreadCosts before, long events) {
        Map<String, Cost> delta = new TreeMap<>();
        byGroup.forEach((group, cost) ->
                delta.put(group, cost.minus(before.byGroup.getOrDefault(group, new Cost(0, 0, 0, 0)))));
        Cost total = new Cost(0, 0, 0, 0);
        for (Map.Entry<String, Cost> entry : delta.entrySet()) {
            Cost cost = entry.getValue();
            if (cost.userTicks() + cost.systemTicks() == 0 && cost.voluntarySwitches() == 0) {
                continue;
            }
            total = total.plus(cost);
            System.out.println(
                    line("thread." + entry.getKey(), cost, events) + allocated(entry.getKey(), before, events));
        }
        System.out.println(line("thread.ALL", total, events));
        long allBytes = 0;
        for (Map.Entry<String, Long> entry : allocatedByGroup.entrySet()) {
            allBytes += entry.getValue() - before.allocatedByGroup.getOrDefault(entry.getKey(), 0L);
        }
        System.out.println("heap_bytes_allocated_per_event=" + allBytes / events);
    }

    private String allocated(String group, ThreadCosts before, long events) {
        Long now = allocatedByGroup.get(group);
        if (now == null) {
            return "";
        }
        return " alloc_bytes_per_event:" + (now - before.allocatedByGroup.getOrDefault(group, 0L)) / events;
    }

    private static String line(String key, Cost cost, long events) {
        return String.format(
                "%s=user_us_per_event:%.1f sys_us_per_event:%.1f switches_per_event:%.2f (voluntary %.2f)",
                key,
                micros(cost.userTicks(), events),
                micros(cost.systemTicks(), events),
                (double) (cost.voluntarySwitches() + cost.involuntarySwitches()) / events,
                (double) cost.voluntarySwitches() / events);
    }

    private static double micros(long ticks, long events) {
        return ticks / TICKS_PER_SECOND * 1e6 / events;
    }

    /** "hark-worker-3" and "C2 CompilerThre" group as "hark-worker-" and "C2 CompilerThre". */
    private static String group(String name) {
        return name.replaceAll("[0-9]+$", "").replace(' ', '_');
    }
}
