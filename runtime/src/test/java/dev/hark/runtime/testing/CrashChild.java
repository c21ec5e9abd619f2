package dev.hark.runtime.testing;

import dev.hark.listeners.http.HttpEvent;
import dev.hark.listeners.http.HttpListener;
import dev.hark.listeners.timer.TimerEvent;
import dev.hark.runtime.Hark;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.workflow.Dag;
import dev.hark.workflow.FirstOf;
import dev.hark.workflow.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The program a crash test runs in a child JVM and kills with SIGKILL. Usage:
 * {@code CrashChild <dataDir> start|resume event|sleep|http <folder>}. Prints {@code STARTED} once
 * the workflow is durable, then {@code OUTPUT <value>} and {@code FINISHED_AT <epoch ms>}.
 */
public final class CrashChild {

    public static final String WORKFLOW_ID = "crash-wf";
    public static final Duration SLEEP = Duration.ofSeconds(6);

    private CrashChild() {}

    public static String describe(FileEvent event) {
        return "downstream got " + event.id() + " carrying " + event.payload();
    }

    public static String describeHttp(HttpEvent event) {
        return "downstream got one event with payload " + event.eventPayload();
    }

    /** A loop of continuations: one event of the folder per step until {@code left} is 0. */
    public static Node<String> pay(String folder, int left, String paid) {
        if (left == 0) {
            return Dag.value("paid " + paid);
        }
        return Dag.dynamic(CrashChild::paid)
                .bind(
                        Dag.value(folder),
                        Dag.value(left),
                        Dag.value(paid),
                        Dag.waitForEvent(FileSourceListener.class, folder));
    }

    /** Writes "applied <event>" to the folder's ledger, so a test sees a step that ran twice. */
    public static Node<String> paid(String folder, int left, String paid, FileEvent event) {
        FileSourceListener.append(Path.of(folder), "applied " + event.id());
        return pay(folder, left - 1, paid + event.id() + " ");
    }

    public static String describeRace(FirstOf<FileEvent> race) {
        return "race won by " + race.index() + " with " + race.event().id() + " carrying "
                + race.event().payload();
    }

    public static String deadlineOf(TimerEvent event) {
        return "deadline=" + event.deadline();
    }

    /**
     * The "early" scenarios: two waits on key "k", one after the other, behind a task that returns
     * the key only once the file {@code release} exists in {@code folder} — so that an event sent
     * before is early. Output: the two payloads.
     */
    private static Node<String> earlyEvents(String folder) {
        Node<HttpEvent> first = Dag.waitForEvent(
                HttpListener.class, Dag.task(CrashChild::keyOnceReleased).bind(Dag.value(folder)));
        Node<HttpEvent> second =
                Dag.waitForEvent(HttpListener.class, Dag.task(CrashChild::keyOf).bind(first));
        return Dag.task(CrashChild::payloads).bind(first, second);
    }

    public static String keyOnceReleased(String folder) throws InterruptedException {
        while (!Files.exists(Path.of(folder, "release"))) {
            Thread.sleep(20);
        }
        return "k";
    }

    public static String keyOf(HttpEvent event) {
        return event.eventKey();
    }

    public static String payloads(HttpEvent first, HttpEvent second) {
        return first.eventPayload() + " " + second.eventPayload();
    }

    /** Workflows of the "competing" scenario: all wait on one folder. */
    public static final int COMPETING = 12;

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        boolean resume = args[1].equals("resume");
        if (args[2].equals("competing")) {
            competing(dataDir, resume, args[3]);
            return;
        }
        Node<String> dag = switch (args[2]) {
            case "event" -> Dag.task(CrashChild::describe).bind(Dag.waitForEvent(FileSourceListener.class, args[3]));
            case "sleep" -> Dag.task(CrashChild::deadlineOf).bind(Dag.sleep(SLEEP));
            case "http" -> Dag.task(CrashChild::describeHttp).bind(Dag.waitForEvent(HttpListener.class, "k"));
            case "loop" -> Dag.dynamic(CrashChild::pay).bind(Dag.value(args[3]), Dag.value(3), Dag.value(""));
            case "race" ->
                Dag.task(CrashChild::describeRace)
                        .bind(Dag.firstOf(
                                Dag.waitForEvent(FileSourceListener.class, args[3] + "/a"),
                                Dag.waitForEvent(FileSourceListener.class, args[3] + "/b")));
            case "early", "early-held", "early-durable" -> earlyEvents(args[3]);
            default -> throw new IllegalArgumentException("unknown scenario " + args[2]);
        };
        Hark.Builder builder = Hark.builder().dataDir(dataDir);
        boolean http = args[2].equals("http") || args[2].startsWith("early");
        if (http) {
            Path folder = Path.of(args[3]);
            builder.http(HttpSettings.defaults().withPort(0));
            if (!resume && (args[2].equals("http") || args[2].equals("early-held"))) {
                builder.store(dir -> new HoldingStore(SqliteWorkflowStore.open(dir), folder.resolve("held")));
            }
            if (!resume && args[2].equals("early-durable")) {
                builder.store(
                        dir -> new DurableThenStalledStore(SqliteWorkflowStore.open(dir), folder.resolve("durable")));
            }
            if (args[2].startsWith("early")) {
                builder.bufferEarlyEvents(Duration.ofHours(1));
            }
        }
        if (args[2].equals("race") && !resume) {
            builder.store(dir -> new HaltAfterRaceStore(SqliteWorkflowStore.open(dir)));
        }
        Hark hark = builder.open();
        if (http) {
            Path portFile = Path.of(args[3]).resolve("port");
            Files.writeString(
                    portFile.resolveSibling("port.tmp"),
                    String.valueOf(hark.httpAddress().orElseThrow().getPort()));
            Files.move(
                    portFile.resolveSibling("port.tmp"),
                    portFile,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        CompletableFuture<?> output = resume ? hark.resumeAsync(WORKFLOW_ID) : hark.runAsync(dag, WORKFLOW_ID);
        System.out.println("STARTED");
        System.out.flush();
        Object result = output.get();
        System.out.println("OUTPUT " + result);
        System.out.println("FINISHED_AT " + System.currentTimeMillis());
        System.out.flush();
        hark.close();
        System.exit(0);
    }

    /** {@value #COMPETING} workflows wait on one folder; resumed, they are all run to the end. */
    private static void competing(Path dataDir, boolean resume, String folder) throws Exception {
        Hark hark = Hark.open(dataDir);
        List<CompletableFuture<?>> outputs = new ArrayList<>();
        if (resume) {
            outputs.addAll(hark.resumeAll().values());
        } else {
            for (int i = 0; i < COMPETING; i++) {
                outputs.add(hark.runAsync(
                        Dag.task(CrashChild::describe).bind(Dag.waitForEvent(FileSourceListener.class, folder)),
                        "competing-" + i));
            }
        }
        System.out.println("STARTED " + outputs.size());
        System.out.flush();
        for (CompletableFuture<?> output : outputs) {
            output.get();
        }
        hark.close();
        System.exit(0);
    }
}
