package dev.hark.runtime;

import dev.hark.runtime.cluster.ClusterMember;
import dev.hark.runtime.cluster.OwnedElsewhereException;
import dev.hark.runtime.concurrent.Futures;
import dev.hark.runtime.engine.Engine;
import dev.hark.runtime.engine.ResumeWindow;
import dev.hark.runtime.event.Delivery;
import dev.hark.runtime.event.IdempotencyKeys;
import dev.hark.runtime.http.AdminOperations;
import dev.hark.runtime.http.EventSender;
import dev.hark.runtime.http.HttpApiServer;
import dev.hark.runtime.http.HttpSettings;
import dev.hark.runtime.metrics.HarkMetrics;
import dev.hark.runtime.metrics.MetricsScrape;
import dev.hark.runtime.plugin.PluginCalls;
import dev.hark.runtime.storage.ClaimRetention;
import dev.hark.runtime.storage.DataFolderLock;
import dev.hark.runtime.storage.EarlyEventRecord;
import dev.hark.runtime.storage.NodeLeases;
import dev.hark.runtime.storage.StoreHealth;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.runtime.storage.sqlite.SqliteWorkflowStore;
import dev.hark.runtime.workflow.DagDefinition;
import dev.hark.runtime.workflow.GraphNode;
import dev.hark.runtime.workflow.GraphNodes;
import dev.hark.runtime.workflow.OpenWait;
import dev.hark.runtime.workflow.OpenWaits;
import dev.hark.workflow.Node;
import dev.hark.workflow.UnknownDefinitionException;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowDefinition;
import dev.hark.workflow.WorkflowIds;
import dev.hark.workflow.WorkflowStateException;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.Json;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * A durable workflow runtime over one data folder.
 *
 * <pre>{@code
 * try (Hark hark = Hark.open(Path.of("hark-data"))) {
 *     List<TimerEvent> both = hark.run(Dag.task(Example::gather).bind(first, second), "gather-1");
 * }
 * }</pre>
 *
 * <p>Workflows that were running when a previous runtime on the same folder stopped are
 * {@link WorkflowStatus#RESUMABLE}; {@link #resume} or {@link #resumeAll} continues them from their
 * checkpoints. One runtime at a time may open a data folder.
 *
 * <p>On a store several runtimes share (PostgreSQL, {@link WorkflowStore#nodeLeases()}), each runtime
 * is a node: it runs the workflows it starts, takes over those of nodes that stopped (at open and
 * then every second or so) and resumes them by itself, and answers {@link Delivery.Elsewhere} for
 * a workflow another node runs (the HTTP endpoint forwards such requests to that node).
 */
public final class Hark implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Hark.class);

    private final Path dataDir;
    private final DataFolderLock lock;
    private final WorkflowStore store;
    private final Engine engine;
    private final HttpApiServer httpServer;
    private final HttpApiServer adminServer;
    private final Map<String, WorkflowDefinition> definitions;
    private final ClaimRetention claimRetention;
    /** The definitions a send may start [R9.7]. */
    private final java.util.Set<String> startOnEvent;

    private final CompletableFuture<Map<String, CompletableFuture<Object>>> resumedOnOpen;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** This runtime as a node of several on a shared store, or null when it is alone on its store. */
    private final ClusterMember member;
    /** The shared store's leases, or null. */
    private final NodeLeases leases;

    private Hark(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        // One lock for the runtime and its store: the store opens inside lend() and uses this one.
        this.lock = DataFolderLock.acquire(dataDir);
        try {
            this.store = lock.lend(() -> builder.storeOpener.apply(dataDir));
            this.leases = store.nodeLeases().orElse(null);
            // Alone on its store, whatever is RUNNING was left by a runtime that stopped; on a shared
            // store other nodes run theirs, and this node takes over only what gone nodes left.
            int resumable = leases != null ? 0 : store.markRunningResumable();
            if (resumable > 0) {
                LOG.info(
                        "{} workflow(s) in {} were running when the last runtime stopped; they are RESUMABLE",
                        resumable,
                        dataDir);
            }
            HarkMetrics metrics = HarkMetrics.of(builder.meterRegistry);
            this.engine = new Engine(store, builder.classLoader, builder.clock, builder.workerThreads, metrics);
            if (metrics.enabled()) {
                store.observeBatches(metrics::storeBatch);
                RuntimeMeters.register(metrics, engine, store, this::resumeProgress);
            }
            engine.bufferEarlyEvents(builder.earlyEventTtl);
            // Before any wait registers (resume) and any send arrives: buffered events survive restarts [R9.2].
            engine.loadEarlyEvents();
            Duration ttl = engine.earlyEventTtl().orElse(Engine.DEFAULT_START_TTL);
            Duration sweepPeriod = ttl.dividedBy(4).compareTo(Duration.ofMillis(50)) < 0
                    ? Duration.ofMillis(50)
                    : ttl.dividedBy(4).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : ttl.dividedBy(4);
            engine.every(
                    sweepPeriod,
                    () -> engine.sweepEarlyEvents().whenComplete((dropped, failure) -> {
                        if (failure != null) {
                            LOG.warn(
                                    "Dropping expired early events failed; the next sweep tries again: {}",
                                    failure.toString());
                        } else if (dropped > 0) {
                            LOG.info("Dropped {} buffered early event(s): expired, or their workflow ended", dropped);
                        }
                    }));
            this.claimRetention = builder.claimRetention;
            claimRetention
                    .sweepPeriod()
                    .ifPresent(period -> engine.every(
                            period,
                            () -> sweepClaims().whenComplete((swept, failure) -> {
                                if (failure != null) {
                                    LOG.warn(
                                            "Sweeping expired event claims failed; the next sweep tries again: {}",
                                            failure.toString());
                                } else if (swept > 0) {
                                    LOG.info("Swept {} event claim(s) older than {}", swept, claimRetention);
                                }
                            })));
        } catch (RuntimeException e) {
            releaseLock();
            throw e;
        }
        this.definitions = Map.copyOf(builder.definitions);
        this.startOnEvent = Set.copyOf(builder.startOnEvent);
        for (String name : startOnEvent) {
            if (!definitions.containsKey(name)) {
                engine.close();
                store.close();
                releaseLock();
                throw new IllegalArgumentException("start on event: no workflow definition is named '" + name
                        + "'; known: " + definitions.keySet().stream().sorted().toList());
            }
        }
        EventSender events = new Events();
        try {
            // The window opens before the first request can arrive: a workflow not re-parked yet is
            // answered "retry" (503), never "not running" (404), which a client would take as final.
            ResumeWindow window =
                    builder.resumeAllOnOpen && leases == null ? engine.beginResume(WorkflowStatus.RESUMABLE) : null;
            Admin admin = builder.adminApi || builder.adminHttp != null ? new Admin() : null;
            this.httpServer = builder.http == null
                    ? null
                    : HttpApiServer.start(
                            builder.http,
                            events,
                            admin,
                            builder.adminHttp == null ? HttpApiServer.Endpoints.ALL : HttpApiServer.Endpoints.EVENTS,
                            engine.metrics(),
                            builder.metricsScrape);
            try {
                this.adminServer = builder.adminHttp == null
                        ? null
                        : HttpApiServer.start(
                                builder.adminHttp,
                                events,
                                admin,
                                HttpApiServer.Endpoints.ADMIN,
                                engine.metrics(),
                                builder.metricsScrape);
            } catch (RuntimeException e) {
                if (httpServer != null) {
                    httpServer.close();
                }
                throw e;
            }
            if (leases != null) {
                // After the servers bind: the address others forward to is known. Until a taken
                // workflow is re-parked, an event for it is answered "retry" (the engine's runsElsewhere).
                this.member = new ClusterMember(leases, engine);
                Runnable onLeaseLost = builder.onLeaseLost;
                try {
                    this.resumedOnOpen = member.join(advertised(builder), () -> leaseLost(onLeaseLost));
                } catch (RuntimeException e) {
                    member.stop();
                    closeServers();
                    throw e;
                }
            } else {
                this.member = null;
                this.resumedOnOpen = window == null
                        ? CompletableFuture.completedFuture(Map.of())
                        : engine.resumeAllInBackground(WorkflowStatus.RESUMABLE, window);
            }
        } catch (RuntimeException e) {
            engine.close();
            store.close();
            releaseLock();
            throw e;
        }
    }

    /** @return a runtime over {@code dataDir} with default settings */
    public static Hark open(Path dataDir) {
        return builder().dataDir(dataDir).open();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs a workflow to completion.
     *
     * @return the output of {@code dag}
     * @throws dev.hark.workflow.WorkflowExistsException if {@code workflowId} exists
     * @throws dev.hark.workflow.WorkflowFailedException if a task failed after its retries
     * @throws dev.hark.workflow.WorkflowCanceledException if it was canceled meanwhile
     */
    public <R> R run(Node<R> dag, String workflowId) {
        return join(runAsync(dag, workflowId));
    }

    /** Runs a workflow under a generated id. */
    public <R> R run(Node<R> dag) {
        return run(dag, WorkflowIds.generate());
    }

    /**
     * Starts a workflow and returns once it is durably recorded.
     *
     * @return completes with the output of {@code dag}
     * @throws dev.hark.workflow.WorkflowExistsException if {@code workflowId} exists
     */
    public <R> CompletableFuture<R> runAsync(Node<R> dag, String workflowId) {
        WorkflowHandle<R> handle = start(dag, workflowId);
        join(handle.started());
        return handle.output();
    }

    /**
     * Submits a workflow without waiting for anything: for callers that start many workflows at
     * once and want their writes to share flushes.
     *
     * @throws IllegalArgumentException for an invalid id or definition
     */
    @SuppressWarnings("unchecked")
    public <R> WorkflowHandle<R> start(Node<R> dag, String workflowId) {
        Objects.requireNonNull(dag, "dag");
        Engine.Started started = engine.start(dag, workflowId);
        return new WorkflowHandle<>(started.id(), started.started(), () ->
                (CompletableFuture<R>) (CompletableFuture<?>) started.output().get());
    }

    /**
     * Starts a workflow from a named {@link WorkflowDefinition} (from a plugin or the class path).
     *
     * @param workflowId the id, or null to generate one
     * @return completes with the id once the workflow is durably recorded
     * @throws UnknownDefinitionException if no definition has this name
     * @throws IllegalArgumentException if the definition refuses the input or the id is invalid
     */
    public CompletableFuture<String> startDefinition(String definition, String workflowId, Map<String, Object> input) {
        WorkflowDefinition found = definitions.get(definition);
        if (found == null) {
            throw new UnknownDefinitionException(
                    definition, definitions.keySet().stream().sorted().toList());
        }
        String id = workflowId == null ? definition + "-" + WorkflowIds.generate() : workflowId;
        return start(build(definition, found, input), id).started().thenApply(ok -> id);
    }

    private static Node<?> build(String definition, WorkflowDefinition found, Map<String, Object> input) {
        Node<?> dag;
        try {
            Map<String, Object> given = input == null ? Map.of() : input;
            // the plugin's loader as context loader, as around every call into plugin code
            dag = PluginCalls.<Node<?>, RuntimeException>in(found.getClass(), () -> found.build(given));
        } catch (LinkageError e) {
            throw new IllegalStateException(
                    "workflow definition '" + definition + "' ("
                            + found.getClass().getName()
                            + ") could not build its DAG: " + e
                            + "; a plugin may use only its own classes, the api, the"
                            + " workflow API and the built-in listeners",
                    e);
        }
        if (dag == null) {
            throw new IllegalStateException("workflow definition '" + definition + "' built no DAG (null)");
        }
        return dag;
    }

    /** @return the names of the workflow definitions this runtime can start by name */
    public List<String> definitions() {
        return definitions.keySet().stream().sorted().toList();
    }

    /** Resumes a workflow and waits for its output. */
    public Object resume(String workflowId) {
        return join(resumeAsync(workflowId));
    }

    /**
     * Continues a workflow from its checkpoints: tasks that finished are not run again, checkpointed
     * events are not polled again. A successful workflow returns its output at once.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     * @throws WorkflowStateException if it was canceled
     */
    public CompletableFuture<Object> resumeAsync(String workflowId) {
        WorkflowRecord record = record(workflowId);
        if (engine.activeStatus(workflowId).isEmpty()) {
            requireNotElsewhere(workflowId);
        }
        return engine.resume(record, store.tasks(workflowId));
    }

    /**
     * Resumes every {@link WorkflowStatus#RESUMABLE} workflow. While it runs, and until each one's
     * waits are parked again, an event sent to a workflow not yet re-parked is answered
     * {@link Delivery.NotYetResumed} (HTTP 503 with {@code Retry-After}), not "not running".
     *
     * @return each resumed workflow's output, by id
     * @throws IllegalStateException on a store several nodes share: there each node resumes the
     *     workflows it takes over by itself, and RESUMABLE ones may be another node's, being resumed
     */
    public Map<String, CompletableFuture<Object>> resumeAll() {
        if (leases != null) {
            throw new IllegalStateException("on a store several nodes share, each node resumes the workflows it"
                    + " takes over by itself; resume one workflow with resume(id)");
        }
        return engine.resumeAll(WorkflowStatus.RESUMABLE);
    }

    /**
     * The resumption started by {@link Builder#resumeAllOnOpen}: completes once every workflow
     * that was RESUMABLE at open has its waits parked again, with each one's output future (by id);
     * exceptionally if resuming failed or the runtime closed first. Completed with an empty map when
     * the option is off.
     */
    public CompletableFuture<Map<String, CompletableFuture<Object>>> resumedOnOpen() {
        return resumedOnOpen;
    }

    /** @return how far the latest {@link #resumeAll} (or resumption at open) is */
    public ResumeProgress resumeProgress() {
        return engine.resumeWindow()
                .or(() -> member == null ? Optional.empty() : member.openingWindow())
                .map(window -> new ResumeProgress(window.isOpen(), window.resumed(), window.total()))
                .orElse(new ResumeProgress(false, 0, 0));
    }

    /** @throws UnknownWorkflowException if no workflow has this id */
    public WorkflowStatus status(String workflowId) {
        Optional<WorkflowStatus> active = engine.activeStatus(WorkflowIds.requireValid(workflowId));
        return active.orElseGet(() -> record(workflowId).status());
    }

    /**
     * What a workflow is waiting for: its waits that have started and have not taken an event, as
     * recorded (a wait whose checkpoint is in flight may still be listed). Empty once it finished.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     */
    public List<OpenWait> openWaits(String workflowId) {
        WorkflowRecord record = record(workflowId);
        if (record.status() != WorkflowStatus.RUNNING && record.status() != WorkflowStatus.RESUMABLE) {
            return List.of();
        }
        Map<String, String> finished = new HashMap<>();
        Map<String, String> continuations = new HashMap<>();
        for (TaskRecord task : store.tasks(workflowId)) {
            (task.state() == TaskState.CONTINUED ? continuations : finished).put(task.taskId(), task.outputJson());
        }
        return OpenWaits.of(Json.MAPPER.readValue(record.dagJson(), DagDefinition.class), finished, continuations);
    }

    /**
     * A workflow's nodes and where each stands, as recorded: what the console draws.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     */
    public List<GraphNode> graph(String workflowId) {
        WorkflowRecord record = record(workflowId);
        WorkflowStatus status = status(workflowId);
        Map<String, String> finished = new HashMap<>();
        Map<String, String> continuations = new HashMap<>();
        Set<String> committed = new java.util.HashSet<>();
        for (TaskRecord task : store.tasks(workflowId)) {
            (task.state() == TaskState.CONTINUED ? continuations : finished).put(task.taskId(), task.outputJson());
            if (task.state() == TaskState.COMMITTED) {
                committed.add(task.taskId());
            }
        }
        DagDefinition dag = Json.MAPPER.readValue(record.dagJson(), DagDefinition.class);
        return GraphNodes.of(dag, finished, continuations, committed, status);
    }

    /**
     * The output of a workflow, waiting for it if it is running in this runtime.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     * @throws WorkflowStateException if it failed, was canceled, or must be resumed first
     */
    public Object output(String workflowId) {
        Optional<CompletableFuture<Object>> running = engine.activeResult(WorkflowIds.requireValid(workflowId));
        if (running.isPresent()) {
            return join(running.get());
        }
        WorkflowRecord record = record(workflowId);
        return switch (record.status()) {
            case SUCCESSFUL -> engine.codec().decode(record.outputJson(), null);
            case FAILED ->
                throw new WorkflowStateException(
                        workflowId, record.status(), "it has no output; it failed with: " + firstLine(record.error()));
            case CANCELED -> throw new WorkflowStateException(workflowId, record.status(), "it has no output");
            case RESUMABLE, RUNNING ->
                throw new WorkflowStateException(workflowId, record.status(), "it has no output yet; resume it first");
        };
    }

    /** @return every stored workflow with its status, ordered by id */
    public List<WorkflowSummary> list() {
        return store.list(Optional.empty());
    }

    /** @return the stored workflows in {@code status}, ordered by id */
    public List<WorkflowSummary> list(WorkflowStatus status) {
        return store.list(Optional.of(Objects.requireNonNull(status, "status")));
    }

    /**
     * Cancels a workflow: its pending waits are cancelled and commit nothing, and it is recorded as
     * {@link WorkflowStatus#CANCELED}. Events it already checkpointed are still committed at their
     * sources (for a workflow stopped by a crash, that happens here, before it is marked canceled).
     * Cancelling a canceled workflow does nothing.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     * @throws WorkflowStateException if it already succeeded
     */
    public void cancel(String workflowId) {
        Optional<CompletableFuture<Void>> cancelling = engine.cancelActive(WorkflowIds.requireValid(workflowId));
        if (cancelling.isPresent()) {
            join(cancelling.get());
            return;
        }
        requireNotElsewhere(workflowId);
        WorkflowRecord record = record(workflowId);
        switch (record.status()) {
            case CANCELED -> {}
            case SUCCESSFUL ->
                throw new WorkflowStateException(workflowId, record.status(), "a finished workflow cannot be canceled");
            default -> {
                join(engine.commitCheckpointed(record, store.tasks(workflowId)));
                join(store.write(new StoreWrite.SetStatus(workflowId, WorkflowStatus.CANCELED, null, null)));
            }
        }
    }

    /**
     * Deletes a workflow and its checkpoints, cancelling it first if it runs here.
     *
     * @throws UnknownWorkflowException if no workflow has this id
     */
    public void delete(String workflowId) {
        Optional<CompletableFuture<Void>> cancelling = engine.cancelActive(WorkflowIds.requireValid(workflowId));
        if (cancelling.isPresent()) {
            join(cancelling.get());
        } else {
            requireNotElsewhere(workflowId);
        }
        record(workflowId);
        join(store.write(new StoreWrite.DeleteWorkflow(workflowId)));
    }

    /**
     * Sends an event to a workflow's inbox from Java, with the HTTP endpoint's semantics: the
     * returned stage completes with {@link Delivery.Accepted} only once the event is durably
     * checkpointed by the wait for (workflowId, key); with {@link Delivery.NotWaiting} at once when
     * no such wait exists; with {@link Delivery.Failed} when its checkpoint failed (nothing was
     * consumed; send it again); with {@link Delivery.NotYetResumed} while {@link #resumeAll} (or the
     * resumption at open) has not re-parked this workflow yet (nothing was recorded; send it again
     * shortly); with {@link Delivery.Buffered} when the runtime buffers early events
     * ({@link Builder#bufferEarlyEvents}) and the running workflow has no wait on the key yet.
     *
     * @param payload any value Jackson can write as JSON; the wait receives it as plain JSON data
     * @throws IllegalArgumentException for an invalid id, an empty key, or a payload that is not JSON
     */
    public CompletableFuture<Delivery> sendEvent(String workflowId, String key, Object payload) {
        return sendEvent(workflowId, key, payload, null);
    }

    /**
     * As {@link #sendEvent(String, String, Object)}, with an idempotency key [R7.3]: the key becomes
     * the event's id, scoped to the workflow. A send whose key was already recorded for this
     * workflow completes with {@link Delivery.Accepted} whose {@code earlier()} is true and records
     * nothing, also after the workflow finished and after a restart; it never reaches a later wait.
     *
     * @param idempotencyKey 1 to 255 printable ASCII characters, or null for none
     * @throws IllegalArgumentException also for an invalid idempotency key
     */
    public CompletableFuture<Delivery> sendEvent(String workflowId, String key, Object payload, String idempotencyKey) {
        requireValidSend(workflowId, key, idempotencyKey);
        Object plain;
        try {
            plain = Json.MAPPER.convertValue(payload, Object.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("event payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        return engine.send(workflowId, key, plain, idempotencyKey);
    }

    /**
     * Deletes the event claims older than the retention whose commit is recorded [R7.2]. Runs by
     * itself in the background; call it to sweep now.
     *
     * @return completes with the number of claims deleted (0 when claims are kept forever)
     */
    public CompletableFuture<Integer> sweepClaims() {
        return claimRetention
                .keepFor()
                .map(keep -> store.sweepClaims(engine.clock().millis() - keep.toMillis()))
                .orElseGet(() -> CompletableFuture.completedFuture(0));
    }

    /** @return where the HTTP event endpoint listens, if it is enabled */
    public Optional<InetSocketAddress> httpAddress() {
        return Optional.ofNullable(httpServer).map(HttpApiServer::address);
    }

    /** @return where the admin API listens when it has an address of its own ({@link Builder#adminHttp}) */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(adminServer).map(HttpApiServer::address);
    }

    /**
     * Writes a consistent copy of this runtime's store to {@code target}, a new file, while the
     * runtime runs: every event acknowledged and every write completed before the call is in it.
     * With the embedded store the backup is one SQLite file, which {@code SqliteBackups.restore}
     * (or {@code hark restore}) puts in place as a data folder's store.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} exists
     * @throws IOException if the backup cannot be written
     * @throws UnsupportedOperationException if the store cannot copy itself
     */
    public void backup(Path target) throws IOException {
        try {
            join(store.backupTo(Objects.requireNonNull(target, "target")));
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** @return the runtime's current load */
    public RuntimeMetrics metrics() {
        return new RuntimeMetrics(engine.activeCount(), engine.pendingTimers(), engine.inboxWaits(), store.stats());
    }

    WorkflowStore store() {
        return store;
    }

    /** @return the data folder this runtime owns */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops the runtime. Active workflows are not canceled: their waits are released and they stay
     * resumable by the next runtime on this folder. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeServers();
            if (member != null) {
                member.stop();
            }
            engine.close();
            if (member != null) {
                member.awaitStopped();
            }
            store.close(); // a shared store fences this node: the others take its workflows at once
        } finally {
            engine.metrics().close();
            releaseLock();
        }
    }

    private void closeServers() {
        try {
            if (httpServer != null) {
                httpServer.close();
            }
        } finally {
            if (adminServer != null) {
                adminServer.close();
            }
        }
    }

    /**
     * Test hook for in-process crash tests (the TCK's crash schedules): stops this runtime the way
     * a killed process stops. No wait is cancelled and no listener callback runs (no
     * {@code onCancel}, no further poll or commit), this runtime issues no write, and its workflows
     * stay RUNNING in the store as after {@code kill -9}; the worker and timer threads are stopped at
     * once, the HTTP server (if any) is stopped, the store is closed and the data-folder lock is
     * released so that a new runtime can open the folder and resume. The store's {@code close}
     * still flushes writes it had already accepted; a store that must lose them (a disk frozen at a
     * chosen point) simulates that itself. Futures this runtime handed out may never complete. Not
     * for production use: {@link #close()} is the polite shutdown.
     */
    public void crashForTesting() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            closeServers();
            if (member != null) {
                member.stop();
            }
            engine.halt();
            store.close();
        } finally {
            engine.metrics().close();
            releaseLock();
        }
    }

    /** What the event endpoint sends to: the engine, and the start option [R9.6, R9.7]. */
    private final class Events implements EventSender {
        @Override
        public NodeLeases nodeLeases() {
            return leases;
        }

        @Override
        public CompletableFuture<Delivery> send(
                String workflowId, String eventKey, Object payload, String idempotencyKey) {
            return engine.send(workflowId, eventKey, payload, idempotencyKey);
        }

        @Override
        public String startRefusal(String definition) {
            if (startOnEvent.isEmpty()) {
                return "this server starts no workflow on an event (hark serve --start-on-event DEFINITION)";
            }
            return startOnEvent.contains(definition)
                    ? null
                    : "this server does not start workflows of '" + definition + "' on an event";
        }

        @Override
        public CompletableFuture<Delivery> sendOrStart(
                String workflowId,
                String eventKey,
                Object payload,
                String idempotencyKey,
                String definition,
                Map<String, Object> input) {
            return sendEventOrStart(workflowId, eventKey, payload, idempotencyKey, definition, input);
        }
    }

    /**
     * Sends an event, starting the workflow first if no workflow has the id [R9.6]: the workflow is
     * created from {@code definition} with the event buffered for its first wait on {@code key},
     * in one transaction ({@link Delivery.Started}); when the workflow exists, this is
     * {@link #sendEvent(String, String, Object, String)}, except that an event for a running
     * workflow with no wait on the key yet is buffered ({@link Delivery.Buffered}) whether or not
     * the runtime buffers early events. Concurrent calls for one new id create one workflow.
     *
     * @param input the definition's input; null for none
     * @throws UnknownDefinitionException if no definition has this name
     * @throws IllegalArgumentException for an invalid id, key, idempotency key or payload
     */
    public CompletableFuture<Delivery> sendEventOrStart(
            String workflowId,
            String key,
            Object payload,
            String idempotencyKey,
            String definition,
            Map<String, Object> input) {
        requireValidSend(workflowId, key, idempotencyKey);
        WorkflowDefinition found = definitions.get(definition);
        if (found == null) {
            throw new UnknownDefinitionException(
                    definition, definitions.keySet().stream().sorted().toList());
        }
        Object plain;
        try {
            plain = Json.MAPPER.convertValue(payload, Object.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("event payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        Map<String, Object> given = input == null ? Map.of() : input;
        try {
            return engine.sendOrStart(
                    workflowId, key, plain, idempotencyKey, definition, () -> build(definition, found, given));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Drops the buffered early events that expired and those of workflows that ended [R9.4]. Runs
     * by itself in the background; call it to sweep now.
     *
     * @return completes with the number dropped
     */
    public CompletableFuture<Integer> sweepEarlyEvents() {
        return engine.sweepEarlyEvents();
    }

    /** @return early events dropped since this runtime opened (expired, or their workflow ended) */
    public long droppedEarlyEvents() {
        return engine.earlyEvents().droppedCount();
    }

    /** @return the early events buffered for a workflow, oldest first */
    public List<EarlyEventRecord> bufferedEvents(String workflowId) {
        return engine.earlyEvents().of(workflowId);
    }

    /** The admin API's view of this runtime; never blocks on a running workflow. */
    private final class Admin implements AdminOperations {
        @Override
        public CompletableFuture<String> start(String definition, String workflowId, Map<String, Object> input) {
            return startDefinition(definition, workflowId, input);
        }

        @Override
        public List<String> definitions() {
            return Hark.this.definitions();
        }

        @Override
        public Optional<Times> times(String workflowId) {
            return store.workflow(workflowId)
                    .map(record -> new Times(
                            Instant.ofEpochMilli(record.createdAtMillis()),
                            Instant.ofEpochMilli(record.updatedAtMillis())));
        }

        @Override
        public WorkflowStatus status(String workflowId) {
            return Hark.this.status(workflowId);
        }

        @Override
        public List<OpenWait> openWaits(String workflowId) {
            return Hark.this.openWaits(workflowId);
        }

        @Override
        public Optional<String> error(String workflowId) {
            return Optional.ofNullable(record(workflowId).error());
        }

        @Override
        public Object output(String workflowId) {
            WorkflowStatus status = Hark.this.status(workflowId);
            if (status != WorkflowStatus.SUCCESSFUL) {
                throw new WorkflowStateException(
                        workflowId, status, "it has no output" + (status == WorkflowStatus.RUNNING ? " yet" : ""));
            }
            return Hark.this.output(workflowId);
        }

        @Override
        public List<WorkflowSummary> list(Optional<WorkflowStatus> status) {
            return store.list(status);
        }

        @Override
        public List<WorkflowSummary> list(Optional<WorkflowStatus> status, String afterId, int limit) {
            return store.list(status, afterId, limit);
        }

        @Override
        public void cancel(String workflowId) {
            Hark.this.cancel(workflowId);
        }

        @Override
        public long backup(Path target) throws IOException {
            Hark.this.backup(target);
            return Files.size(target);
        }

        @Override
        public List<GraphNode> graph(String workflowId) {
            return Hark.this.graph(workflowId);
        }

        @Override
        public void resume(String workflowId) {
            WorkflowStatus status = Hark.this.status(workflowId);
            if (status != WorkflowStatus.RESUMABLE && status != WorkflowStatus.FAILED) {
                throw new WorkflowStateException(
                        workflowId, status, "only a RESUMABLE or FAILED workflow can be resumed");
            }
            resumeAsync(workflowId); // its output is read later, as any workflow's
        }

        @Override
        public Map<String, Object> health() {
            RuntimeMetrics metrics = metrics();
            ResumeProgress progress = resumeProgress();
            StoreHealth storeHealth = store.health();
            Map<String, Object> health = new LinkedHashMap<>();
            if (progress.resuming()) {
                health.put("status", AdminOperations.HEALTH_STARTING);
                health.put("ready", false);
                health.put(
                        "reason",
                        "resuming workflows after a restart: " + progress.resumed() + " of " + progress.total()
                                + " re-parked");
            } else if (!storeHealth.writable()) {
                health.put("status", AdminOperations.HEALTH_STORE_FAILING);
                health.put("ready", false);
                health.put("reason", "the store refuses writes: " + storeHealth.reason());
            } else {
                health.put("status", AdminOperations.HEALTH_OK);
                health.put("ready", true);
            }
            health.put("store_writable", storeHealth.writable());
            health.put("resumed", progress.resumed());
            health.put("total", progress.total());
            health.put("active_workflows", metrics.activeWorkflows());
            health.put("pending_timers", metrics.pendingTimers());
            health.put("inbox_waits", metrics.inboxWaits());
            health.put("definitions", Hark.this.definitions());
            health.put("early_events_buffered", engine.earlyEvents().size());
            health.put("early_events_delivered", engine.earlyEvents().deliveredCount());
            health.put("early_events_dropped", engine.earlyEvents().droppedCount());
            return health;
        }

        @Override
        public List<Map<String, Object>> bufferedEvents(String workflowId) {
            return engine.earlyEvents().of(workflowId).stream()
                    .map(event -> {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("event_key", event.eventKey());
                        row.put("event_id", event.eventId());
                        row.put(
                                "received_at",
                                Instant.ofEpochMilli(event.receivedAtMillis()).toString());
                        row.put(
                                "expires_at",
                                Instant.ofEpochMilli(event.expiresAtMillis()).toString());
                        return row;
                    })
                    .toList();
        }
    }

    private static void requireValidSend(String workflowId, String key, String idempotencyKey) {
        String keyProblem = IdempotencyKeys.problem(idempotencyKey);
        if (keyProblem != null) {
            throw new IllegalArgumentException(keyProblem);
        }
        WorkflowIds.requireValid(workflowId);
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("event key must be a non-empty string");
        }
    }

    /**
     * @throws OwnedElsewhereException when another live node of the cluster runs the workflow: only
     *     it may change it (this node's writes would race with its own)
     */
    private void requireNotElsewhere(String workflowId) {
        if (leases != null) {
            Optional<NodeLeases.NodeRef> owner = leases.ownerElsewhere(workflowId);
            if (owner.isPresent()) {
                throw new OwnedElsewhereException(workflowId, owner.get());
            }
        }
    }

    /**
     * This node lost its lease (paused or cut off past it, or fenced): another node takes over its
     * workflows, and it can write nothing more. It stops as a crashed node stops, then tells the
     * embedding application, which typically exits so that a supervisor starts a new node.
     */
    private void leaseLost(Runnable onLeaseLost) {
        LOG.error(
                "this node lost its lease ({}): another node takes over its workflows; stopping",
                leases.self().name() + " #" + leases.self().id());
        Thread stopping = new Thread(
                () -> {
                    try {
                        crashForTesting(); // no write is possible any more; nothing to flush or hand over
                    } catch (RuntimeException e) {
                        LOG.warn("Stopping after the lease was lost: {}", e.toString());
                    } finally {
                        onLeaseLost.run();
                    }
                },
                "hark-lease-lost");
        stopping.setDaemon(false);
        stopping.start();
    }

    /** @return where other nodes reach this node's event endpoint: as configured, or the bound address */
    private Optional<URI> advertised(Builder builder) {
        if (builder.advertiseUrl != null) {
            return Optional.of(builder.advertiseUrl);
        }
        if (httpServer == null) {
            return Optional.empty();
        }
        InetSocketAddress bound = httpServer.address();
        String host;
        if (bound.getAddress() == null || bound.getAddress().isAnyLocalAddress()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        } else {
            host = bound.getAddress().getHostAddress();
            if (host.contains(":")) {
                host = "[" + host.replaceFirst("%.*$", "") + "]";
            }
        }
        return Optional.of(
                URI.create((builder.http.tls() == null ? "http://" : "https://") + host + ":" + bound.getPort()));
    }

    private WorkflowRecord record(String workflowId) {
        return store.workflow(WorkflowIds.requireValid(workflowId))
                .orElseThrow(() -> new UnknownWorkflowException(workflowId));
    }

    private void releaseLock() {
        lock.close();
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "(no description)";
        }
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = Futures.unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new CompletionException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException("interrupted while waiting for a workflow", e);
        }
    }

    /** Settings for {@link Hark}. */
    public static final class Builder {
        private Path dataDir = Path.of("hark-data");
        private Clock clock = Clock.systemUTC();
        private ClassLoader classLoader = defaultClassLoader();
        private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Function<Path, ? extends WorkflowStore> storeOpener = SqliteWorkflowStore::open;
        private HttpSettings http;
        private boolean adminApi;
        private HttpSettings adminHttp;
        private ClaimRetention claimRetention = ClaimRetention.defaults();
        private boolean resumeAllOnOpen;
        private Duration earlyEventTtl;
        private final java.util.Set<String> startOnEvent = new java.util.HashSet<>();
        private final Map<String, WorkflowDefinition> definitions = new HashMap<>();
        private MeterRegistry meterRegistry;
        private MetricsScrape metricsScrape;
        private Runnable onLeaseLost = () -> {};
        private URI advertiseUrl;

        private Builder() {}

        /**
         * What to do when this node loses its lease on a shared store (paused or cut off past the
         * lease, so another node took over its workflows): the runtime has already stopped as a
         * crashed one would, on a thread of its own, and can write nothing more; an application
         * typically exits so that its supervisor starts a new node ({@code hark serve} exits 75).
         * Nothing by default.
         */
        public Builder onLeaseLost(Runnable action) {
            this.onLeaseLost = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * Where the other nodes of a shared store reach this node's event endpoint, to forward the
         * events of the workflows it runs; by default the bound address of {@link #http} (the host
         * name when it listens on every interface).
         *
         * @throws IllegalArgumentException unless an absolute http or https URL
         */
        public Builder advertiseUrl(URI url) {
            Objects.requireNonNull(url, "url");
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "the advertised URL must be an absolute http:// or https:// URL with a host, was " + url);
            }
            this.advertiseUrl = url;
            return this;
        }

        /**
         * Records the runtime's meters (README, "Metrics") in {@code registry}; none by default, and
         * then nothing is counted or timed.
         */
        public Builder metrics(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Serves {@code GET /metrics} with the admin API (admin scope when credentials are set),
         * rendered by {@code scrape}, typically over the registry given to {@link #metrics}; not
         * served by default.
         */
        public Builder metricsEndpoint(MetricsScrape scrape) {
            this.metricsScrape = Objects.requireNonNull(scrape, "scrape");
            return this;
        }

        /** The data folder; {@code ./hark-data} by default. Created if missing. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** The clock listeners see through their context; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where task functions, listeners and stored value types are loaded from when resuming. */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
            return this;
        }

        /** Threads that run tasks and protocol steps; waits hold none of them. */
        public Builder workerThreads(int workerThreads) {
            if (workerThreads < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1, was " + workerThreads);
            }
            this.workerThreads = workerThreads;
            return this;
        }

        /**
         * Serves the HTTP event endpoint ({@code POST /event/send_event/{workflow_id}}); off unless
         * set. {@link HttpSettings#defaults()} binds 127.0.0.1:8000.
         */
        public Builder http(HttpSettings http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * Also serves the admin API ({@code /workflows…}, {@code /health}) on the HTTP server.
         *
         * @throws IllegalStateException if {@link #adminHttp} gave it an address of its own
         */
        public Builder adminApi(boolean enabled) {
            if (enabled && adminHttp != null) {
                throw new IllegalStateException("the admin API already has an address of its own (adminHttp)");
            }
            this.adminApi = enabled;
            return this;
        }

        /**
         * Serves the admin API on a server of its own, e.g. on loopback while events are received on
         * a public address; the event server then serves events and the health probes only. Give
         * it credentials with an admin token unless it listens on loopback only.
         *
         * @throws IllegalStateException if {@link #adminApi} put it on the event server already
         */
        public Builder adminHttp(HttpSettings adminHttp) {
            if (adminApi) {
                throw new IllegalStateException("the admin API is already served on the event server (adminApi)");
            }
            this.adminHttp = Objects.requireNonNull(adminHttp, "adminHttp");
            return this;
        }

        /**
         * Resumes every RESUMABLE workflow on a thread of its own as soon as the runtime is open, as
         * {@code hark serve} does. {@code open()} returns at once with the HTTP server (if any)
         * answering: until a workflow's waits are parked again, an event sent to it is answered
         * "not yet resumed, retry" (503) and {@code /health} says {@code starting}.
         * {@link Hark#resumedOnOpen()} tells when it is done. Off by default: then workflows stay
         * RESUMABLE until {@link Hark#resume} or {@link Hark#resumeAll}.
         */
        public Builder resumeAllOnOpen(boolean enabled) {
            this.resumeAllOnOpen = enabled;
            return this;
        }

        /**
         * Workflow definitions that {@link #startDefinition} and the admin API can start by name.
         *
         * @throws IllegalArgumentException if two share a name
         */
        public Builder definitions(Collection<? extends WorkflowDefinition> added) {
            for (WorkflowDefinition definition : added) {
                WorkflowDefinition previous = definitions.putIfAbsent(definition.name(), definition);
                if (previous != null && previous != definition) {
                    throw new IllegalArgumentException("two workflow definitions are named '" + definition.name()
                            + "': " + previous.getClass().getName() + " and "
                            + definition.getClass().getName());
                }
            }
            return this;
        }

        /**
         * How to open the store over the data folder; the embedded SQLite store by default. This is
         * the storage SPI's entry point (a shared store comes later through the same interface).
         */
        public Builder store(Function<Path, ? extends WorkflowStore> storeOpener) {
            this.storeOpener = Objects.requireNonNull(storeOpener, "storeOpener");
            return this;
        }

        /**
         * How long event claims are kept once their commit is recorded [R7.2]; 30 days by default
         * (see {@link ClaimRetention} for why). Expired claims are swept in the background.
         */
        public Builder claimRetention(ClaimRetention retention) {
            this.claimRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * Buffers early events [R9.1]: an event sent to a running workflow that has no wait on its
         * key yet is stored durably and answered 200 {@code "buffered"}, delivered to the first
         * wait that registers for the key, and dropped after {@code ttl}. Off (null) by default:
         * such an event is answered 404 {@code no_wait_for_key}, as Ray did.
         */
        public Builder bufferEarlyEvents(Duration ttl) {
            if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
                throw new IllegalArgumentException("the early-event TTL must be positive, was " + ttl);
            }
            this.earlyEventTtl = ttl;
            return this;
        }

        /**
         * Lets an event send start a workflow of these definitions [R9.6, R9.7] ({@code POST
         * /event/send_event/{id}?start=NAME}); none by default. Each must be one of
         * {@link #definitions}.
         */
        public Builder startOnEvent(Collection<String> definitionNames) {
            startOnEvent.addAll(definitionNames);
            return this;
        }

        /**
         * @throws IllegalStateException if the folder is unusable or another runtime holds it
         */
        public Hark open() {
            return new Hark(this);
        }

        private static ClassLoader defaultClassLoader() {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            return context != null ? context : Hark.class.getClassLoader();
        }
    }
}
