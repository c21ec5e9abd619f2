package dev.hark.runtime.engine;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.metrics.HarkMetrics;
import dev.hark.runtime.protocol.EarlyEvents;
import dev.hark.runtime.protocol.EventServices;
import dev.hark.runtime.protocol.EventTask;
import dev.hark.runtime.protocol.InFlightClaims;
import dev.hark.runtime.protocol.Inbox;
import dev.hark.runtime.protocol.RetryLog;
import dev.hark.runtime.protocol.TimerService;
import dev.hark.runtime.storage.EarlyEventOutcome;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.NodeLeases;
import dev.hark.runtime.storage.StoreBusyException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.workflow.DagCompiler;
import dev.hark.runtime.workflow.DagDefinition;
import dev.hark.runtime.workflow.StoredDefinitions;
import dev.hark.runtime.workflow.WorkflowGraph;
import dev.hark.workflow.FunctionRef;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowExistsException;
import dev.hark.workflow.WorkflowIds;
import dev.hark.workflow.WorkflowStateException;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ResolvedFunction;
import dev.hark.workflow.internal.ValueCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;

/**
 * Runs workflows against a store: starts, resumes, cancels, and keeps the set of active runs.
 * The public face is {@code dev.hark.runtime.Hark}.
 */
public final class Engine implements AutoCloseable {

    /** The most events buffered for one workflow [R9.5]. */
    public static final int MAX_EARLY_EVENTS_PER_WORKFLOW = 1_000;

    /** How long a start-on-event send's event waits for its wait when plain sends do not buffer. */
    public static final Duration DEFAULT_START_TTL = Duration.ofHours(1);

    private final WorkflowStore store;
    private final ClassLoader classLoader;
    private final ValueCodec codec;
    private final ExecutorService executor;
    private final TimerService timers;
    private final Inbox inbox = new Inbox();
    private final EarlyEvents earlyEvents;
    /** How long an early event is buffered when sends buffer (null: they do not, Ray's 404) [R9.1]. */
    private volatile Duration bufferTtl;
    /** How long the event of a start-on-event send is buffered when plain sends do not buffer [R9.6]. */
    private volatile Duration startTtl = DEFAULT_START_TTL;
    /** Start-on-event sends whose creation is in flight, per workflow id: later ones queue behind. */
    private final Map<String, CompletableFuture<Void>> starting = new ConcurrentHashMap<>();

    private final EventServices eventServices;
    private final HarkMetrics metrics;
    private final Map<String, WorkflowRun> active = new ConcurrentHashMap<>();
    private final Map<FunctionRef, ResolvedFunction> functions = new ConcurrentHashMap<>();
    private final Map<String, ListenerType> listeners = new ConcurrentHashMap<>();
    /** Workflows resumed in bulk mostly share a few definition texts: each is parsed once. */
    private final StoredDefinitions storedDefinitions = new StoredDefinitions();
    /** The latest resumption after a restart; its workflows get "not yet resumed" until re-parked. */
    private final AtomicReference<ResumeWindow> resuming = new AtomicReference<>();
    /** The store's leases when several nodes share it, else null: then every workflow runs here or nowhere. */
    private final NodeLeases leases;
    /** Resumptions of workflows this node took over from others, while any of their runs is not re-parked. */
    private final Set<ResumeWindow> takeovers = ConcurrentHashMap.newKeySet();

    private volatile boolean closing;
    private volatile Thread resumeThread;

    /** @return where the engine and its waits count and time their work */
    public HarkMetrics metrics() {
        return metrics;
    }

    public Engine(WorkflowStore store, ClassLoader classLoader, Clock clock, int workerThreads) {
        this(store, classLoader, clock, workerThreads, HarkMetrics.NONE);
    }

    /** @param metrics where the engine and its waits count and time their work */
    public Engine(WorkflowStore store, ClassLoader classLoader, Clock clock, int workerThreads, HarkMetrics metrics) {
        this.store = store;
        this.leases = store.nodeLeases().orElse(null);
        this.metrics = metrics;
        this.classLoader = classLoader;
        this.codec = new ValueCodec(classLoader);
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(
                workerThreads,
                workerThreads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                DaemonThreads.numbered("hark-worker"),
                new ThreadPoolExecutor.DiscardPolicy());
        this.timers = new TimerService(clock);
        this.earlyEvents = new EarlyEvents(inbox, clock);
        earlyEvents.onRecordedElsewhere(record -> store.dropEarlyEvents(List.of(record)));
        this.eventServices =
                new EventServices(store, codec, executor, timers, inbox, new InFlightClaims(), new RetryLog(), metrics);
    }

    /** A started workflow: durable once {@code started} completes; {@code output} completes at the end. */
    public record Started(String id, CompletableFuture<Void> started, Supplier<CompletableFuture<Object>> output) {}

    /**
     * Records a new workflow and, once it is durable, starts it.
     *
     * @throws IllegalArgumentException for an invalid id or definition
     * @throws WorkflowExistsException if a workflow with this id is active here
     */
    public Started start(Node<?> root, String workflowId) {
        WorkflowIds.requireValid(workflowId);
        DagDefinition dag = DagCompiler.compile(root, codec);
        String dagJson = Json.MAPPER.writeValueAsString(dag);
        if (active.containsKey(workflowId)) {
            throw new WorkflowExistsException(workflowId);
        }
        WorkflowRun run = new WorkflowRun(this, workflowId, dag, Map.of(), true);
        CompletableFuture<Void> started = store.write(new StoreWrite.CreateWorkflow(
                        workflowId, dagJson, timers.clock().millis()))
                .handleAsync(
                        (ok, failure) -> {
                            Throwable refusal = failure != null
                                    ? Futures.unwrap(failure)
                                    : active.putIfAbsent(workflowId, run) != null
                                            ? new WorkflowExistsException(workflowId)
                                            : null;
                            if (refusal != null) {
                                run.refuse(refusal);
                                throw refusal instanceof RuntimeException r ? r : new CompletionException(refusal);
                            }
                            run.start();
                            return null;
                        },
                        executor);
        return new Started(workflowId, started, run::result);
    }

    /**
     * Continues a stored workflow from its checkpoints, or returns the active run's output.
     *
     * @throws dev.hark.workflow.UnknownWorkflowException if no such workflow is stored
     * @throws WorkflowStateException if it was canceled
     */
    public CompletableFuture<Object> resume(WorkflowRecord record, List<TaskRecord> tasks) {
        WorkflowRun running = active.get(record.id());
        if (running != null) {
            return running.result();
        }
        switch (record.status()) {
            case SUCCESSFUL -> {
                return CompletableFuture.completedFuture(codec.decode(record.outputJson(), null));
            }
            case CANCELED ->
                throw new WorkflowStateException(record.id(), record.status(), "a canceled workflow cannot be resumed");
            default -> {
                // RESUMABLE, FAILED, or RUNNING left over by a runtime that died: continue it
            }
        }
        DagDefinition dag;
        try {
            dag = storedDefinitions.read(record.dagJson());
        } catch (JacksonException e) {
            throw new IllegalStateException(
                    "stored definition of workflow " + record.id() + " is unreadable: " + e.getOriginalMessage(), e);
        }
        Map<String, TaskRecord> byTask = new HashMap<>(tasks.size() * 2);
        for (TaskRecord task : tasks) {
            byTask.put(task.taskId(), task);
        }
        WorkflowRun run = new WorkflowRun(this, record.id(), dag, byTask, false);
        WorkflowRun raced = active.putIfAbsent(record.id(), run);
        if (raced != null) {
            return raced.result();
        }
        if (record.status() != WorkflowStatus.RUNNING) {
            store.write(new StoreWrite.SetStatus(record.id(), WorkflowStatus.RUNNING, null, null));
        }
        executor.execute(run::start);
        ResumeWindow window = resuming.get();
        if (window != null && window.isOpen()) {
            window.resuming(run.parked());
        }
        return run.result();
    }

    /**
     * Commits, at their sources, the events a stored (not active) workflow checkpointed but whose
     * commit was never recorded — before it is canceled, so that cancelling cannot leave an event
     * that the workflow consumed sitting uncommitted at its source [R5.2]. Pending waits are not
     * touched: nothing is polled.
     *
     * @return completes when every such commit is recorded
     */
    public CompletableFuture<Void> commitCheckpointed(WorkflowRecord record, List<TaskRecord> tasks) {
        List<TaskRecord> checkpointed = tasks.stream()
                .filter(task -> task.state() == TaskState.CHECKPOINTED)
                .toList();
        if (checkpointed.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        DagDefinition dag = Json.MAPPER.readValue(record.dagJson(), DagDefinition.class);
        Map<String, String> continuations = new HashMap<>();
        tasks.stream()
                .filter(task -> task.state() == TaskState.CONTINUED)
                .forEach(task -> continuations.put(task.taskId(), task.outputJson()));
        WorkflowGraph graph = WorkflowGraph.stored(dag, continuations); // a continuation's waits too
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (TaskRecord task : checkpointed) {
            for (int node = 0; node < graph.size(); node++) {
                if (graph.step(node) instanceof DagDefinition.Step.Wait wait
                        && wait.taskId().equals(task.taskId())) {
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    EventTask commit = new EventTask(
                            eventServices,
                            new EventTask.Owner() {
                                @Override
                                public void eventCheckpointed(int index, String envelope) {
                                    // already durable; nothing runs downstream of a workflow being canceled
                                }

                                @Override
                                public boolean commitRecorded(int index) {
                                    done.complete(null);
                                    return false;
                                }

                                @Override
                                public void waitFailed(int index, String message, Throwable cause) {
                                    done.completeExceptionally(new IllegalStateException(message, cause));
                                }
                            },
                            record.id(),
                            wait.taskId(),
                            node,
                            listenerType(wait.listener()),
                            null);
                    executor.execute(() -> commit.recommit(task.outputJson()));
                    commits.add(done);
                }
            }
        }
        return CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new));
    }

    /**
     * Resumes every stored workflow in {@code status}, reading them in bulk. Until each one's waits
     * are parked again, a message sent to it is answered {@link Delivery.NotYetResumed}.
     */
    public Map<String, CompletableFuture<Object>> resumeAll(WorkflowStatus status) {
        return resumeAll(status, beginResume(status));
    }

    /**
     * Opens a resume window over the workflows stored in {@code status}, before anything is
     * resumed: from now on a message sent to one of them is answered {@link Delivery.NotYetResumed}
     * until {@link #resumeAll(WorkflowStatus, ResumeWindow)} has re-parked it. Call that next, or the
     * window never closes.
     *
     * @return the window, or null if another resumption's window is still open (its workflows
     *     keep their answers; resuming again needs no window of its own)
     */
    public ResumeWindow beginResume(WorkflowStatus status) {
        ResumeWindow window = new ResumeWindow(store.count(status));
        ResumeWindow current = resuming.get();
        if (current != null && current.isOpen() || !resuming.compareAndSet(current, window)) {
            return null;
        }
        return window;
    }

    /** Resumes every stored workflow in {@code status} within {@code window} (from {@link #beginResume}; may be null). */
    public Map<String, CompletableFuture<Object>> resumeAll(WorkflowStatus status, ResumeWindow window) {
        return resumeEach(action -> store.forEachWithTasks(status, action), window);
    }

    /**
     * Opens a resume window over workflows this node just took over from other nodes (their ids
     * from {@link NodeLeases#takeOver()}): until {@link #resumeAll(Collection, ResumeWindow)} has
     * re-parked one, a message sent to it here is answered {@link Delivery.NotYetResumed}. Several
     * such windows may be open at once, beside the one of {@link #beginResume(WorkflowStatus)}.
     */
    public ResumeWindow beginResume(Collection<String> takenIds) {
        ResumeWindow window = new ResumeWindow(takenIds.size());
        takeovers.add(window);
        window.done().whenComplete((outputs, failure) -> takeovers.remove(window));
        return window;
    }

    /** Resumes the given stored workflows (those this node took over) within {@code window}, reading them in bulk. */
    public Map<String, CompletableFuture<Object>> resumeAll(Collection<String> workflowIds, ResumeWindow window) {
        return resumeEach(action -> store.forEachWithTasks(workflowIds, action), window);
    }

    private Map<String, CompletableFuture<Object>> resumeEach(
            Consumer<Consumer<StoredWorkflow>> stored, ResumeWindow window) {
        Map<String, CompletableFuture<Object>> resumed = new HashMap<>();
        RuntimeException failure = null;
        boolean takeover = window != null && takeovers.contains(window);
        try {
            stored.accept(each -> {
                if (closing) {
                    throw new CancellationException("the runtime closed while resuming workflows");
                }
                String id = each.workflow().id();
                resumed.put(id, resume(each.workflow(), each.tasks()));
                WorkflowRun run = active.get(id);
                if (takeover && run != null) { // resume() told only the window of a restart
                    window.resuming(run.parked());
                }
            });
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            if (window != null) {
                window.listed(Map.copyOf(resumed), failure);
            }
        }
        return resumed;
    }

    /**
     * Runs {@link #resumeAll(WorkflowStatus, ResumeWindow)} on a thread of its own, {@code
     * hark-resume}, so that the runtime answers (health checks, "not yet resumed" replies) while it
     * resumes. {@link #close} stops it.
     *
     * @return completes when every workflow is re-parked, with each one's output future
     */
    public CompletableFuture<Map<String, CompletableFuture<Object>>> resumeAllInBackground(
            WorkflowStatus status, ResumeWindow window) {
        Thread thread = new Thread(
                () -> {
                    try {
                        resumeAll(status, window);
                    } catch (RuntimeException e) {
                        // completes the window's future exceptionally; the caller reports it
                    }
                },
                "hark-resume");
        thread.setDaemon(true);
        resumeThread = thread;
        thread.start();
        return window.done();
    }

    /** @return the latest resumption's window (open or closed), if there was one */
    public Optional<ResumeWindow> resumeWindow() {
        return Optional.ofNullable(resuming.get());
    }

    /** @return the status of an active run, if the workflow is active here */
    public Optional<WorkflowStatus> activeStatus(String workflowId) {
        WorkflowRun run = active.get(workflowId);
        return run == null ? Optional.empty() : Optional.of(run.status());
    }

    /** @return the active run's output future, if the workflow is active here */
    public Optional<CompletableFuture<Object>> activeResult(String workflowId) {
        WorkflowRun run = active.get(workflowId);
        return run == null ? Optional.empty() : Optional.of(run.result());
    }

    /** Cancels an active run; empty if the workflow is not active here. */
    public Optional<CompletableFuture<Void>> cancelActive(String workflowId) {
        WorkflowRun run = active.get(workflowId);
        return run == null ? Optional.empty() : Optional.of(run.cancel());
    }

    /** @return how many workflows are active */
    public int activeCount() {
        return active.size();
    }

    /** Runs the runtime's own short housekeeping every {@code period} on the timer thread. */
    public void every(Duration period, Runnable action) {
        timers.every(period, period, action);
    }

    public Clock clock() {
        return timers.clock();
    }

    /** @return timers pending on the scheduler thread */
    public int pendingTimers() {
        return timers.pending();
    }

    public ValueCodec codec() {
        return codec;
    }

    public WorkflowStore store() {
        return store;
    }

    ExecutorService executor() {
        return executor;
    }

    EventServices eventServices() {
        return eventServices;
    }

    ResolvedFunction function(FunctionRef ref) {
        ResolvedFunction known = functions.get(ref);
        return known != null ? known : functions.computeIfAbsent(ref, r -> ResolvedFunction.resolve(r, classLoader));
    }

    ListenerType listenerType(String className) {
        ListenerType known = listeners.get(className);
        if (known != null) {
            return known;
        }
        return listeners.computeIfAbsent(className, name -> {
            try {
                return ListenerType.of(Class.forName(name, true, classLoader));
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("listener " + name + " is not on the class path or in a plugin", e);
            } catch (LinkageError e) {
                throw new IllegalArgumentException("listener " + name + " cannot be loaded: " + e, e);
            }
        });
    }

    void finished(WorkflowRun run) {
        if (active.remove(run.id(), run)) {
            inbox.forget(run.id());
        }
        WorkflowStatus status = run.status();
        if (status == WorkflowStatus.SUCCESSFUL
                || status == WorkflowStatus.FAILED
                || status == WorkflowStatus.CANCELED) {
            metrics.workflowFinished(status.name());
        }
    }

    /**
     * Sends a message to a workflow's inbox; when no wait takes it, says why by looking at the
     * workflow's stored state.
     */
    public CompletableFuture<Delivery> send(String workflowId, String key, Object payload, String idempotencyKey) {
        Duration ttl = bufferTtl;
        return ttl == null
                ? plainSend(workflowId, key, payload, idempotencyKey)
                : sendBuffering(workflowId, key, payload, idempotencyKey, ttl);
    }

    private CompletableFuture<Delivery> plainSend(
            String workflowId, String key, Object payload, String idempotencyKey) {
        if (idempotencyKey == null) {
            return inbox.send(workflowId, key, payload, null)
                    .thenCompose(delivery -> explain(workflowId, key, delivery));
        }
        // A key already recorded is answered from its claim, whatever became of the workflow since,
        // and never reaches a later wait [R7.3]. A workflow this runtime started has made all its
        // checkpoints here, so the inbox knows its recorded keys and the store need not be read.
        WorkflowRun run = active.get(workflowId);
        if (run != null && run.startedHere()) {
            return inbox.recordedKey(workflowId, idempotencyKey)
                    ? CompletableFuture.completedFuture(new Delivery.Accepted(workflowId, key, idempotencyKey, true))
                    : sendKeyed(workflowId, key, payload, idempotencyKey);
        }
        // Reading the store may block; keep it off the caller's (possibly I/O) thread.
        return CompletableFuture.supplyAsync(() -> recordedEarlier(workflowId, key, idempotencyKey), executor)
                .thenCompose(earlier -> earlier != null
                        ? CompletableFuture.completedFuture(earlier)
                        : sendKeyed(workflowId, key, payload, idempotencyKey));
    }

    private CompletableFuture<Delivery> sendKeyed(
            String workflowId, String key, Object payload, String idempotencyKey) {
        return inbox.send(workflowId, key, payload, idempotencyKey).thenCompose(delivery -> {
            if (delivery instanceof Delivery.NotWaiting) {
                // the first send may have been recorded between the look-up and now
                return CompletableFuture.supplyAsync(
                        () -> {
                            Delivery recorded = recordedEarlier(workflowId, key, idempotencyKey);
                            return recorded != null ? recorded : whyNotWaiting(workflowId, key, delivery);
                        },
                        executor);
            }
            return CompletableFuture.completedFuture(delivery);
        });
    }

    private Delivery recordedEarlier(String workflowId, String key, String idempotencyKey) {
        return store.claim(EventClaim.inbox(workflowId, idempotencyKey))
                .map(claim -> (Delivery) new Delivery.Accepted(workflowId, key, idempotencyKey, true))
                .orElse(null);
    }

    private CompletableFuture<Delivery> explain(String workflowId, String key, Delivery delivery) {
        if (!(delivery instanceof Delivery.NotWaiting notWaiting)
                || notWaiting.reason() != Delivery.Reason.NO_WAIT_FOR_KEY) {
            return CompletableFuture.completedFuture(delivery);
        }
        WorkflowRun run = active.get(workflowId);
        if (run != null) {
            return CompletableFuture.completedFuture(notYetParked(run) ? notYetResumed(workflowId, key) : delivery);
        }
        // Reading the store may block; keep it off the caller's (possibly I/O) thread.
        return CompletableFuture.supplyAsync(() -> whyNotWaiting(workflowId, key), executor);
    }

    private Delivery whyNotWaiting(String workflowId, String key, Delivery delivery) {
        if (delivery instanceof Delivery.NotWaiting notWaiting
                && notWaiting.reason() == Delivery.Reason.NO_WAIT_FOR_KEY) {
            WorkflowRun run = active.get(workflowId);
            if (run == null) {
                return whyNotWaiting(workflowId, key);
            }
            return notYetParked(run) ? notYetResumed(workflowId, key) : delivery;
        }
        return delivery;
    }

    private boolean resumingNow() {
        ResumeWindow window = resuming.get();
        return window != null && window.isOpen();
    }

    /** @return whether a resumption is under way and {@code run}, resumed by it, has not polled its waits yet */
    private boolean notYetParked(WorkflowRun run) {
        return (resumingNow() || !takeovers.isEmpty())
                && !run.startedHere()
                && !run.parked().isDone();
    }

    private Delivery notYetResumed(String workflowId, String key) {
        ResumeWindow window = resuming.get();
        if (window == null || !window.isOpen()) { // then a takeover's window is open (notYetParked)
            window = takeovers.stream().filter(ResumeWindow::isOpen).findAny().orElse(window);
        }
        return window != null
                ? window.notYetResumed(workflowId, key)
                : new Delivery.NotYetResumed(
                        workflowId, key, 0, 0, "workflow '" + workflowId + "' is being resumed; send the event again");
    }

    private Delivery whyNotWaiting(String workflowId, String key) {
        return store.workflow(workflowId)
                .<Delivery>map(record -> switch (record.status()) {
                    case SUCCESSFUL, CANCELED, FAILED ->
                        new Delivery.NotWaiting(
                                workflowId,
                                key,
                                Delivery.Reason.WORKFLOW_FINISHED,
                                "workflow '" + workflowId + "' is " + record.status() + "; it waits for no event");
                    // a resumption under way will park its waits shortly: "retry", never "not running"
                    case RESUMABLE, RUNNING ->
                        leases != null
                                ? runsElsewhere(workflowId, key)
                                : resumingNow()
                                        ? notYetResumed(workflowId, key)
                                        : new Delivery.NotWaiting(
                                                workflowId,
                                                key,
                                                Delivery.Reason.WORKFLOW_NOT_RUNNING,
                                                "workflow '"
                                                        + workflowId + "' is " + WorkflowStatus.RESUMABLE
                                                        + "; resume it before sending it events");
                })
                .orElseGet(() -> new Delivery.NotWaiting(
                        workflowId, key, Delivery.Reason.UNKNOWN_WORKFLOW, "no workflow with id '" + workflowId + "'"));
    }

    /**
     * Where a running workflow that is not active here runs, when several nodes share the store:
     * on another live node ({@link Delivery.Elsewhere}); or nowhere yet: its node is gone and a
     * takeover (maybe this node's, under way) resumes it within a lease, so "retry", never "not
     * running", which a client would take as final.
     */
    private Delivery runsElsewhere(String workflowId, String key) {
        Optional<NodeLeases.NodeRef> owner = leases.ownerElsewhere(workflowId);
        if (owner.isPresent()) {
            NodeLeases.NodeRef node = owner.get();
            return new Delivery.Elsewhere(
                    workflowId,
                    key,
                    node,
                    "workflow '" + workflowId + "' runs on node " + node.name() + " (#" + node.id() + ")");
        }
        return new Delivery.NotYetResumed(
                workflowId,
                key,
                0,
                0,
                "workflow '" + workflowId + "' is being taken over from a node that stopped and does not wait for"
                        + " events yet; send the event again shortly (within "
                        + leases.lease().toSeconds()
                        + " s)");
    }

    // ---------------------------------------------------------------- early events [R9]

    /**
     * Makes sends to a running workflow that has no wait on their key yet buffer the event for
     * {@code ttl} instead of answering 404 [R9.1]; null turns it off.
     */
    public void bufferEarlyEvents(Duration ttl) {
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new IllegalArgumentException("the early-event TTL must be positive, was " + ttl);
        }
        this.bufferTtl = ttl;
        if (ttl != null) {
            this.startTtl = ttl;
        }
    }

    /** @return how long sends buffer early events, if they do */
    public Optional<Duration> earlyEventTtl() {
        return Optional.ofNullable(bufferTtl);
    }

    /** @return the buffered early events */
    public EarlyEvents earlyEvents() {
        return earlyEvents;
    }

    /** Loads the store's buffered events (when the runtime opens, before any wait registers). */
    public void loadEarlyEvents() {
        for (EarlyEventRecord record : store.earlyEvents()) {
            Object payload;
            try {
                payload = Json.MAPPER.readValue(record.payloadJson(), Object.class);
            } catch (JacksonException e) {
                throw new IllegalStateException(
                        "buffered event " + record.eventId() + " of workflow " + record.workflowId()
                                + " is unreadable: " + e.getOriginalMessage(),
                        e);
            }
            earlyEvents.add(record, payload);
        }
    }

    /**
     * Loads the buffered events of workflows this node just took over that it does not hold yet:
     * the node that buffered them may have done so after this node loaded the store's at open.
     * Before they are resumed, so that their first waits take them.
     */
    public void loadEarlyEvents(Collection<String> takenIds) {
        Set<String> taken = Set.copyOf(takenIds);
        for (EarlyEventRecord record : store.earlyEvents()) {
            if (taken.contains(record.workflowId())
                    && earlyEvents.buffered(record.workflowId(), record.eventId()) == null) {
                earlyEvents.add(record, Json.MAPPER.readValue(record.payloadJson(), Object.class));
            }
        }
    }

    /**
     * Drops the expired buffered events and those of workflows that ended [R9.4].
     *
     * @return completes with the number dropped
     */
    public CompletableFuture<Integer> sweepEarlyEvents() {
        if (earlyEvents.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        List<EarlyEventRecord> expired = earlyEvents.takeExpired();
        return store.dropEarlyEvents(expired).handle((dropped, failure) -> {
            if (failure != null) {
                earlyEvents.restore(expired);
                throw new CompletionException(Futures.unwrap(failure));
            }
            earlyEvents.dropped(dropped);
            // Expired ones the store no longer had were removed by a checkpoint of their id (a
            // send with the same idempotency key): gone, but not dropped.
            earlyEvents.forget(expired);
            return dropped.size();
        });
    }

    private CompletableFuture<Delivery> sendBuffering(
            String workflowId, String key, Object payload, String idempotencyKey, Duration ttl) {
        if (idempotencyKey != null && active.containsKey(workflowId)) {
            EarlyEventRecord buffered = earlyEvents.buffered(workflowId, idempotencyKey);
            if (buffered != null) { // a resend of an event still buffered: nothing new [R9.5]
                return CompletableFuture.completedFuture(new Delivery.Buffered(
                        workflowId,
                        buffered.eventKey(),
                        idempotencyKey,
                        Instant.ofEpochMilli(buffered.expiresAtMillis()),
                        true));
            }
        }
        if (active.containsKey(workflowId) && earlyEvents.has(workflowId, key)) {
            // older events wait for this key: this one goes behind them, oldest first [R9.2]
            return buffer(workflowId, key, payload, idempotencyKey, ttl);
        }
        return plainSend(workflowId, key, payload, idempotencyKey).thenCompose(delivery -> {
            if (delivery instanceof Delivery.NotWaiting notWaiting
                    && notWaiting.reason() == Delivery.Reason.NO_WAIT_FOR_KEY
                    && active.containsKey(workflowId)) {
                return buffer(workflowId, key, payload, idempotencyKey, ttl);
            }
            return CompletableFuture.completedFuture(delivery);
        });
    }

    private CompletableFuture<Delivery> buffer(
            String workflowId, String key, Object payload, String idempotencyKey, Duration ttl) {
        if (earlyEvents.count(workflowId) >= MAX_EARLY_EVENTS_PER_WORKFLOW) {
            return CompletableFuture.completedFuture(new Delivery.NotWaiting(
                    workflowId,
                    key,
                    Delivery.Reason.NO_WAIT_FOR_KEY,
                    "workflow '" + workflowId + "' has no wait for key '" + key + "' and already "
                            + MAX_EARLY_EVENTS_PER_WORKFLOW + " early events buffered; nothing was recorded"));
        }
        EarlyEventRecord record = earlyRecord(workflowId, key, payload, idempotencyKey, ttl);
        return store.bufferEarlyEvent(record)
                .handleAsync(
                        (outcome, failure) -> {
                            if (failure != null) {
                                return (Delivery) notBuffered(workflowId, key, failure);
                            }
                            Instant expires = Instant.ofEpochMilli(record.expiresAtMillis());
                            return switch (outcome) {
                                case BUFFERED -> {
                                    earlyEvents.add(record, payload);
                                    yield new Delivery.Buffered(workflowId, key, record.eventId(), expires, false);
                                }
                                case ALREADY_BUFFERED -> {
                                    EarlyEventRecord first = earlyEvents.buffered(workflowId, record.eventId());
                                    yield new Delivery.Buffered(
                                            workflowId,
                                            key,
                                            record.eventId(),
                                            first == null ? expires : Instant.ofEpochMilli(first.expiresAtMillis()),
                                            true);
                                }
                                case ALREADY_RECORDED -> new Delivery.Accepted(workflowId, key, record.eventId(), true);
                                default -> whyNotWaiting(workflowId, key);
                            };
                        },
                        executor);
    }

    private EarlyEventRecord earlyRecord(
            String workflowId, String key, Object payload, String idempotencyKey, Duration ttl) {
        long now = timers.clock().millis();
        long expires;
        try {
            expires = Math.addExact(now, ttl.toMillis());
        } catch (ArithmeticException e) {
            expires = Long.MAX_VALUE;
        }
        return new EarlyEventRecord(
                workflowId,
                key,
                idempotencyKey != null ? idempotencyKey : earlyEvents.newId(),
                Json.MAPPER.writeValueAsString(payload),
                now,
                expires);
    }

    private static Delivery.Failed notBuffered(String workflowId, String key, Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        return new Delivery.Failed(
                workflowId,
                key,
                "the event could not be buffered and was not recorded (" + cause.getMessage() + "); send it again",
                cause instanceof StoreBusyException);
    }

    /**
     * A send that names a definition [R9.6]: when no workflow has the id, creates it from
     * {@code dag} with the event buffered for its first wait on {@code key}, in one transaction,
     * and starts it; otherwise a plain send, buffered when the workflow has no wait on the key yet
     * (for the early-event TTL, or {@link #DEFAULT_START_TTL} when plain sends do not buffer).
     * Concurrent calls for one id create one workflow: later ones wait for the first's creation.
     *
     * @param dag builds the workflow; called only when it is to be created
     * @throws IllegalArgumentException (possibly through the stage) for a DAG that does not compile
     */
    public CompletableFuture<Delivery> sendOrStart(
            String workflowId,
            String key,
            Object payload,
            String idempotencyKey,
            String definition,
            Supplier<Node<?>> dag) {
        WorkflowIds.requireValid(workflowId);
        Duration ttl = bufferTtl != null ? bufferTtl : startTtl;
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> earlier = starting.putIfAbsent(workflowId, mine);
        if (earlier != null) {
            return earlier.thenCompose(ok -> sendBuffering(workflowId, key, payload, idempotencyKey, ttl));
        }
        Runnable done = () -> {
            starting.remove(workflowId, mine);
            mine.complete(null);
        };
        if (active.containsKey(workflowId)) {
            done.run();
            return sendBuffering(workflowId, key, payload, idempotencyKey, ttl);
        }
        WorkflowRun run;
        String dagJson;
        try {
            DagDefinition compiled = DagCompiler.compile(dag.get(), codec);
            dagJson = Json.MAPPER.writeValueAsString(compiled);
            run = new WorkflowRun(this, workflowId, compiled, Map.of(), true);
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
        EarlyEventRecord record = earlyRecord(workflowId, key, payload, idempotencyKey, ttl);
        return store.createWithEarlyEvent(
                        new StoreWrite.CreateWorkflow(workflowId, dagJson, record.receivedAtMillis()), record)
                .handleAsync(
                        (outcome, failure) -> {
                            try {
                                if (failure != null) {
                                    run.refuse(Futures.unwrap(failure));
                                    return (Delivery) notBuffered(workflowId, key, failure);
                                }
                                if (outcome != EarlyEventOutcome.CREATED
                                        || active.putIfAbsent(workflowId, run) != null) {
                                    run.refuse(new WorkflowExistsException(workflowId));
                                    return null; // it exists: a plain send
                                }
                                // in memory before the run starts, so that its first wait on the key takes it
                                earlyEvents.add(record, payload);
                                run.start();
                                return new Delivery.Started(
                                        workflowId,
                                        key,
                                        record.eventId(),
                                        definition,
                                        Instant.ofEpochMilli(record.expiresAtMillis()));
                            } finally {
                                done.run();
                            }
                        },
                        executor)
                .thenCompose(started -> started != null
                        ? CompletableFuture.completedFuture(started)
                        : sendBuffering(workflowId, key, payload, idempotencyKey, ttl));
    }

    /** @return waits registered in the inbox */
    public int inboxWaits() {
        return inbox.registered();
    }

    /** Stops every active run without changing stored state (they stay resumable), then the threads. */
    @Override
    public void close() {
        IllegalStateException closed =
                new IllegalStateException("the runtime was closed; the workflow stays resumable");
        stopResuming(closed);
        // Timers first: cleared in one go, the waits' releases below no longer each take their
        // timer out of the scheduler's queue.
        timers.close();
        for (WorkflowRun run : List.copyOf(active.values())) {
            run.abandon(closed);
        }
        active.clear();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the threads without touching any run: nothing is cancelled, abandoned or written, and
     * callbacks still queued are dropped (a simulated crash; see {@code Hark.crashForTesting}).
     */
    public void halt() {
        stopResuming(new IllegalStateException("the runtime stopped"));
        timers.close();
        executor.shutdownNow();
        active.clear();
    }

    /** Stops a background resumption and waits for its thread; its window closes with {@code reason}. */
    private void stopResuming(RuntimeException reason) {
        closing = true;
        Thread thread = resumeThread;
        if (thread != null && thread != Thread.currentThread()) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        ResumeWindow window = resuming.get();
        if (window != null) {
            window.abandon(reason);
        }
        takeovers.forEach(taken -> taken.abandon(reason));
    }
}
