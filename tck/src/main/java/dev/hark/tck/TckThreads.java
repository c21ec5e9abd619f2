package dev.hark.tck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The threads the kit calls the listener on, so that a call that blocks holds one of these and
 * not the test's thread, and the census of live threads the L3.1 and L3.8 checks compare (without
 * the kit's callers, whose pool grows with the kit's own calls).
 */
final class TckThreads {

    static final String CALLER_NAME = "hark-tck-caller";
    private static final ExecutorService CALLER = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, CALLER_NAME);
        thread.setDaemon(true);
        return thread;
    });

    private TckThreads() {}

    static <T> Future<T> call(Callable<T> call) {
        return CALLER.submit(call);
    }

    static Future<?> call(Runnable call) {
        return CALLER.submit(call);
    }

    static void run(Runnable task) {
        CALLER.execute(task);
    }

    /** @return the live threads other than the kit's own callers, by id: the census L3.1 and L3.8 compare */
    static Map<Long, String> census() {
        Map<Long, String> threads = new TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !thread.getName().equals(CALLER_NAME)) {
                threads.put(thread.getId(), thread.getName());
            }
        }
        return threads;
    }

    /**
     * @return the names of the threads of {@code now} beyond those of {@code baseline}, counted by
     *     name: a runtime's pool thread replaced by one of the same name (a runtime reopened, a pool
     *     worker recycled) is not an added thread, a listener's new thread is
     */
    static List<String> added(Map<Long, String> baseline, Map<Long, String> now) {
        Map<String, Integer> before = new HashMap<>();
        baseline.values().forEach(name -> before.merge(name, 1, Integer::sum));
        List<String> added = new ArrayList<>();
        for (String name : now.values()) {
            if (before.merge(name, -1, Integer::sum) < 0) {
                added.add(name);
            }
        }
        return added;
    }

    /** @return the stack of the first busy thread whose name starts with {@code threadPrefix}, to show where it blocks */
    static String stackOf(String threadPrefix) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> entry :
                Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = entry.getValue();
            if (entry.getKey().getName().startsWith(threadPrefix) && stack.length > 0 && !isIdle(stack)) {
                out.append("stack of ").append(entry.getKey().getName()).append(":\n");
                for (int i = 0; i < Math.min(stack.length, 12); i++) {
                    out.append("    at ").append(stack[i]).append('\n');
                }
                break;
            }
        }
        return out.toString();
    }

    private static boolean isIdle(StackTraceElement[] stack) {
        for (StackTraceElement element : stack) {
            if (element.getClassName().startsWith("java.util.concurrent.ThreadPoolExecutor")
                    && element.getMethodName().equals("getTask")) {
                return true;
            }
        }
        return false;
    }
}
