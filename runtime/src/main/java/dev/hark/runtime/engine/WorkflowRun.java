package dev.hark.runtime.engine;

import dev.hark.runtime.logging.LogFields;
import dev.hark.runtime.plugin.PluginCalls;
import dev.hark.runtime.protocol.EventTask;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.workflow.Continuation;
import dev.hark.runtime.workflow.DagCompiler;
import dev.hark.runtime.workflow.DagDefinition;
import dev.hark.runtime.workflow.DagDefinition.Step;
import dev.hark.runtime.workflow.WorkflowGraph;
import dev.hark.workflow.Node;
import dev.hark.workflow.WorkflowCanceledException;
import dev.hark.workflow.WorkflowFailedException;
import dev.hark.workflow.WorkflowStatus;
import dev.hark.workflow.internal.ListenerType;
import dev.hark.workflow.internal.ResolvedFunction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One active workflow. Nodes move from pending to running to done; a node is launched once all its
 * inputs are done, and it is done only once its output is durable. The workflow succeeds when its
 * root is done and every checkpointed event's commit is recorded, so that a successful workflow
 * never leaves an event uncommitted at its source.
 */
final class WorkflowRun implements EventTask.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(WorkflowRun.class);
    private static final byte PENDING = 0;
    private static final byte RUNNING = 1;
    private static final byte DONE = 2;
    /** A wait that lost its race, or whose race was decided before it started: it never polls [R8.1]. */
    private static final byte SKIPPED = 3;

    private final Engine engine;
    private final String id;
    /** The stored DAG's steps and, appended as tasks return them, their continuations' steps. */
    private final WorkflowGraph graph;

    private String[] outputs;
    private byte[] states;
    /** The number of the latest continuation stored for this workflow. */
    private int continuations;
    /** The output's envelope, or why there is none. */
    private final CompletableFuture<String> outcome = new CompletableFuture<>();
    /** The decoded output, made only once asked for: most runs' outputs are never read back here. */
    private CompletableFuture<Object> result;

    private List<EventTask> waits;
    private List<Runnable> recommits;
    private int commitsOutstanding;
    private WorkflowStatus status = WorkflowStatus.RUNNING;
    /**
     * For a resumed workflow, completes once every wait that {@link #start} launched has called its
     * listener's {@code pollForEvent}: its waits are parked again. Null for a workflow started here,
     * which no resume window waits for.
     */
    private final CompletableFuture<Void> parked;

    private boolean starting;
    private int startPollsOutstanding;

    /**
     * @param startedHere whether this runtime created the workflow (rather than resumed it): then
     *     every checkpoint it ever made went through this runtime
     */
    WorkflowRun(Engine engine, String id, DagDefinition dag, Map<String, TaskRecord> stored, boolean startedHere) {
        this.engine = engine;
        this.parked = startedHere ? null : new CompletableFuture<>();
        this.id = id;
        this.graph = WorkflowGraph.of(dag);
        this.outputs = new String[graph.size()];
        this.states = new byte[graph.size()];
        for (int i = 0; i < graph.size(); i++) { // grows as stored continuations are spliced in
            load(i, stored);
        }
        for (int i = graph.size() - 1; i >= 0; i--) {
            int task = graph.continues(i);
            if (task >= 0 && states[i] == DONE) {
                outputs[task] = outputs[i]; // a continuation's root done before the restart: so is its task
                states[task] = DONE;
            }
        }
        for (int i = 0; i < graph.size(); i++) {
            if (graph.raceOf(i) >= 0 && states[i] == PENDING && states[graph.raceOf(i)] == DONE) {
                states[i] = SKIPPED; // its race was won before the restart: never poll it again
            }
        }
    }

    /** Sets node {@code i}'s state from its stored record, splicing in a stored continuation. */
    private void load(int i, Map<String, TaskRecord> stored) {
        Step step = graph.step(i);
        if (step instanceof Step.Value value) {
            outputs[i] = value.envelope();
            states[i] = DONE;
            return;
        }
        TaskRecord record = stored.get(WorkflowGraph.taskId(step));
        if (record == null) {
            return;
        }
        if (record.state() == TaskState.CONTINUED) {
            Continuation continuation = Continuation.read(record.outputJson());
            continuations = Math.max(continuations, continuation.number());
            splice(i, continuation.dag());
            states[i] = RUNNING; // done when its continuation's root is
            return;
        }
        outputs[i] = record.outputJson();
        states[i] = DONE;
        if (record.state() == TaskState.CHECKPOINTED) {
            Step.Wait wait = (Step.Wait) step;
            if (recommits == null) {
                recommits = new ArrayList<>(1);
            }
            EventTask task = newEventTask(i, wait);
            if (task != null) {
                String event = record.outputJson();
                recommits.add(() -> task.recommit(event));
            }
            commitsOutstanding++;
        }
    }

    /** Appends a continuation's steps; its constants are done at once. Call holding the lock (or constructing). */
    private int splice(int task, DagDefinition continuation) {
        int from = graph.size();
        int root = graph.splice(task, continuation);
        outputs = Arrays.copyOf(outputs, graph.size());
        states = Arrays.copyOf(states, graph.size());
        for (int i = from; i < graph.size(); i++) {
            if (graph.step(i) instanceof Step.Value value) {
                outputs[i] = value.envelope();
                states[i] = DONE;
            }
        }
        return root;
    }

    String id() {
        return id;
    }

    /** @return whether this runtime created the workflow, so every checkpoint it made went through here */
    boolean startedHere() {
        return parked == null;
    }

    /** @return the workflow's output, decoded when the run finishes (or now, if it has) */
    synchronized CompletableFuture<Object> result() {
        if (result == null) {
            CompletableFuture<Object> decoded = new CompletableFuture<>();
            outcome.whenComplete((envelope, failure) -> {
                if (failure != null) {
                    decoded.completeExceptionally(failure);
                    return;
                }
                try {
                    decoded.complete(engine.codec().decode(envelope, null));
                } catch (RuntimeException | LinkageError e) {
                    decoded.completeExceptionally(e);
                }
            });
            result = decoded;
        }
        return result;
    }

    /** Ends the run before it started: it could not be recorded. */
    void refuse(Throwable reason) {
        outcome.completeExceptionally(reason);
    }

    synchronized WorkflowStatus status() {
        return status;
    }

    /** Launches every node whose inputs are done, and commits events checkpointed before a crash. */
    void start() {
        List<Runnable> pendingRecommits;
        boolean noPolls = true;
        try {
            synchronized (this) {
                pendingRecommits = recommits;
                recommits = null;
                starting = parked != null;
                try {
                    launchReady();
                } finally {
                    starting = false;
                    noPolls = startPollsOutstanding == 0;
                }
            }
        } finally {
            if (noPolls && parked != null) {
                parked.complete(null);
            }
        }
        if (pendingRecommits != null) {
            pendingRecommits.forEach(engine.executor()::execute);
        }
        maybeFinish();
    }

    /** Cancels pending waits and records the workflow as canceled. */
    CompletableFuture<Void> cancel() {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return CompletableFuture.completedFuture(null);
            }
            status = WorkflowStatus.CANCELED;
            cancelWaits();
        }
        return engine.store()
                .write(new StoreWrite.SetStatus(id, WorkflowStatus.CANCELED, null, null))
                .whenCompleteAsync(
                        (ok, failure) -> {
                            engine.finished(this);
                            outcome.completeExceptionally(new WorkflowCanceledException(id));
                        },
                        engine.executor());
    }

    /** Stops this run without changing its stored status: it stays resumable. */
    void abandon(RuntimeException reason) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            status = WorkflowStatus.RESUMABLE;
            cancelWaits();
        }
        outcome.completeExceptionally(reason);
    }

    @Override
    public void eventCheckpointed(int node, String envelope) {
        List<EventTask> losers = null;
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            commitsOutstanding++;
            if (waits != null) {
                waits.removeIf(wait -> wait.taskId().equals(taskId(graph.step(node))));
            }
            int race = graph.raceOf(node);
            if (race >= 0) {
                losers = decideRace(race, node, envelope);
            }
        }
        if (losers != null) {
            losers.forEach(EventTask::cancel);
        }
        nodeDone(node, envelope);
    }

    /**
     * The winner's checkpoint wrote the race's record: the race is done, and every other member is
     * skipped. Call holding the lock.
     *
     * @return the losers' running waits, to cancel
     */
    private List<EventTask> decideRace(int race, int winner, String envelope) {
        Step.FirstOf step = (Step.FirstOf) graph.step(race);
        List<EventTask> losers = new ArrayList<>(step.members().length - 1);
        for (int position = 0; position < step.members().length; position++) {
            int member = step.members()[position];
            if (member == winner) {
                outputs[race] = RaceOutputs.compose(step, position, envelope);
                continue;
            }
            states[member] = SKIPPED;
            String loser = taskId(graph.step(member));
            if (waits != null) {
                waits.removeIf(wait -> {
                    if (wait.taskId().equals(loser)) {
                        losers.add(wait);
                        return true;
                    }
                    return false;
                });
            }
        }
        states[race] = DONE;
        return losers;
    }

    @Override
    public StoreWrite.Decision decision(int node, String envelope) {
        int race = graph.raceOf(node);
        if (race < 0) {
            return null;
        }
        Step.FirstOf step = (Step.FirstOf) graph.step(race);
        for (int position = 0; position < step.members().length; position++) {
            if (step.members()[position] == node) {
                return new StoreWrite.Decision(step.taskId(), RaceOutputs.compose(step, position, envelope));
            }
        }
        throw new IllegalStateException("node " + node + " is not a member of race " + step.taskId());
    }

    @Override
    public boolean commitRecorded(int node) {
        synchronized (this) {
            commitsOutstanding--;
        }
        return maybeFinish();
    }

    @Override
    public void waitFailed(int node, String message, Throwable cause) {
        Step.Wait wait = (Step.Wait) graph.step(node);
        fail(wait.taskId() + ": " + message, wait.taskId(), wait.listener(), cause);
    }

    private void launchReady() {
        for (int i = 0; i < states.length; i++) {
            if (states[i] != PENDING) {
                continue;
            }
            if (graph.raceOf(i) >= 0 && states[graph.raceOf(i)] == DONE) {
                states[i] = SKIPPED;
                continue;
            }
            if (inputsDone(graph.step(i))) {
                states[i] = RUNNING;
                launch(i);
            }
        }
    }

    private boolean inputsDone(Step step) {
        if (step instanceof Step.Task task) {
            for (int input : task.inputs()) {
                if (states[input] != DONE) {
                    return false;
                }
            }
            return true;
        }
        // a race is never launched: its members are, and the winner's checkpoint completes it
        return step instanceof Step.Wait wait && states[wait.args()] == DONE;
    }

    private void launch(int node) {
        Step step = graph.step(node);
        if (step instanceof Step.Task task) {
            String[] inputs = new String[task.inputs().length];
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = outputs[task.inputs()[k]];
            }
            engine.executor().execute(() -> runTask(node, task, inputs, 0));
        } else {
            Step.Wait wait = (Step.Wait) step;
            EventTask task = newEventTask(node, wait);
            if (task == null) {
                return;
            }
            if (waits == null) {
                waits = new ArrayList<>(1);
            }
            waits.add(task);
            if (starting) {
                startPollsOutstanding++;
                engine.executor().execute(() -> {
                    try {
                        task.poll();
                    } finally {
                        startPollMade();
                    }
                });
            } else {
                engine.executor().execute(task::poll);
            }
        }
    }

    private void startPollMade() {
        boolean last;
        synchronized (this) {
            last = --startPollsOutstanding == 0;
        }
        if (last) {
            parked.complete(null);
        }
    }

    /**
     * @return completes once the waits launched by {@link #start} have each been polled
     * @throws IllegalStateException for a workflow started here (only resumed runs are watched)
     */
    CompletableFuture<Void> parked() {
        if (parked == null) {
            throw new IllegalStateException("workflow " + id + " was started here, not resumed");
        }
        return parked;
    }

    private EventTask newEventTask(int node, Step.Wait wait) {
        ListenerType type;
        try {
            type = engine.listenerType(wait.listener());
        } catch (RuntimeException | LinkageError e) {
            engine.executor()
                    .execute(() -> fail(wait.taskId() + ": " + e.getMessage(), wait.taskId(), wait.listener(), e));
            return null;
        }
        return new EventTask(engine.eventServices(), this, id, wait.taskId(), node, type, outputs[wait.args()]);
    }

    private void runTask(int node, Step.Task task, String[] inputEnvelopes, int attempt) {
        // The task's own log lines, and the engine's about it, carry the workflow and the task.
        try (LogFields fields = LogFields.of(id, task.taskId(), null)) {
            runTaskLogged(node, task, inputEnvelopes, attempt);
        }
    }

    private void runTaskLogged(int node, Step.Task task, String[] inputEnvelopes, int attempt) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
        }
        String envelope;
        try {
            ResolvedFunction function = engine.function(task.function());
            Type[] types = function.inputTypes();
            Object[] inputs = new Object[inputEnvelopes.length];
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = engine.codec().decode(inputEnvelopes[k], types[k]);
            }
            Object output = PluginCalls.in(function.owner(), () -> function.invoke(inputs));
            if (output instanceof Node<?> next) {
                continueWith(node, task, next);
                return;
            }
            envelope = engine.codec().encode(output, function.outputType());
        } catch (Throwable e) { // an Error from task code fails the task, never the worker thread
            if (attempt < task.retries()) {
                LOG.info(
                        "Task {} of workflow {} threw (attempt {} of {}), running it again: {}",
                        task.taskId(),
                        id,
                        attempt + 1,
                        task.retries() + 1,
                        String.valueOf(e));
                engine.executor().execute(() -> runTask(node, task, inputEnvelopes, attempt + 1));
            } else {
                String tries = task.retries() == 0 ? "" : " (after " + (attempt + 1) + " attempts)";
                fail("task " + task.taskId() + " threw " + e + tries, task.taskId(), e);
            }
            return;
        }
        CompletableFuture<Void> written;
        synchronized (this) {
            // Queued under the lock, like a checkpoint: a cancel or delete that comes later is queued
            // behind this write, so the delete removes the row; once stopped, nothing is written.
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            written = engine.store().write(new StoreWrite.PutTask(id, task.taskId(), TaskState.DONE, envelope));
        }
        written.whenCompleteAsync(
                (ok, failure) -> {
                    if (failure == null) {
                        nodeDone(node, envelope);
                    } else {
                        fail(
                                "output of task " + task.taskId() + " could not be stored: " + failure.getMessage(),
                                task.taskId(),
                                failure);
                    }
                },
                engine.executor());
    }

    /**
     * The task returned a workflow node: store it as the task's continuation, then run it in the
     * task's place. Its task ids are prefixed with its number, so that none meets another's.
     */
    private void continueWith(int node, Step.Task task, Node<?> next) {
        int number;
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            number = ++continuations;
        }
        DagDefinition continuation;
        String record;
        try {
            continuation = DagCompiler.compile(next, engine.codec(), Continuation.taskIdPrefix(number));
            record = new Continuation(number, continuation).write();
        } catch (RuntimeException e) {
            fail(
                    "task " + task.taskId() + " returned a workflow node that cannot be run: " + e.getMessage(),
                    task.taskId(),
                    e);
            return;
        }
        CompletableFuture<Void> written;
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            written = engine.store().write(new StoreWrite.PutTask(id, task.taskId(), TaskState.CONTINUED, record));
        }
        written.whenCompleteAsync(
                (ok, failure) -> {
                    if (failure != null) {
                        fail(
                                "the continuation of task " + task.taskId() + " could not be stored: "
                                        + failure.getMessage(),
                                task.taskId(),
                                failure);
                        return;
                    }
                    String rootOutput;
                    int root;
                    synchronized (this) {
                        if (status != WorkflowStatus.RUNNING) {
                            return;
                        }
                        root = splice(node, continuation);
                        rootOutput = states[root] == DONE ? outputs[root] : null;
                        if (rootOutput == null) {
                            launchReady();
                        }
                    }
                    if (rootOutput != null) {
                        nodeDone(root, rootOutput); // a continuation that is a constant: the task is done
                    }
                },
                engine.executor());
    }

    private void nodeDone(int node, String envelope) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            // a continuation's root done means its task is done, and so on up a chain of continuations
            for (int done = node; done >= 0; done = graph.continues(done)) {
                outputs[done] = envelope;
                states[done] = DONE;
            }
            launchReady();
        }
        maybeFinish();
    }

    /** @return whether this call queued the final status */
    private boolean maybeFinish() {
        String output;
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING || states[graph.root()] != DONE || commitsOutstanding > 0) {
                return false;
            }
            status = WorkflowStatus.SUCCESSFUL;
            output = outputs[graph.root()];
        }
        engine.store()
                .write(new StoreWrite.SetStatus(id, WorkflowStatus.SUCCESSFUL, output, null))
                .whenCompleteAsync(
                        (ok, failure) -> {
                            engine.finished(this);
                            if (failure != null) {
                                outcome.completeExceptionally(failure);
                            } else {
                                outcome.complete(output);
                            }
                        },
                        engine.executor());
        return true;
    }

    /** @param task the task that failed */
    private void fail(String message, String task, Throwable cause) {
        fail(message, task, null, cause);
    }

    /**
     * @param task the task or wait that failed
     * @param listener the listener of the wait that failed, or null
     */
    private void fail(String message, String task, String listener, Throwable cause) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            status = WorkflowStatus.FAILED;
            cancelWaits();
        }
        // Once per workflow (the status guards it), with the trace: the stored status keeps it too,
        // but an operator reads the log first.
        try (LogFields fields = LogFields.of(id, task, listener)) {
            if (listener == null) {
                LOG.warn("Workflow {} failed: {}", id, message, cause);
            } else {
                LOG.warn("Workflow {} failed: {} (listener {})", id, message, listener, cause);
            }
        }
        engine.store()
                .write(new StoreWrite.SetStatus(id, WorkflowStatus.FAILED, null, describe(message, cause)))
                .whenCompleteAsync(
                        (ok, failure) -> {
                            engine.finished(this);
                            outcome.completeExceptionally(new WorkflowFailedException(id, message, cause));
                        },
                        engine.executor());
    }

    private void cancelWaits() {
        if (waits != null) {
            List<EventTask> pending = waits;
            waits = null;
            pending.forEach(EventTask::cancel);
        }
    }

    private static String taskId(Step step) {
        return WorkflowGraph.taskId(step);
    }

    private static String describe(String message, Throwable cause) {
        if (cause == null) {
            return message;
        }
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        return message + "\n" + trace;
    }
}
