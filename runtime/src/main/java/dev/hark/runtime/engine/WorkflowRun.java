package dev.hark.runtime.engine;

import dev.hark.runtime.plugin.PluginCalls;
import dev.hark.runtime.protocol.EventTask;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.workflow.DagDefinition;
import dev.hark.runtime.workflow.DagDefinition.Step;
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
    private final DagDefinition dag;
    private final String[] outputs;
    private final byte[] states;
    /** For each node, the index of the race it is a member of, or -1. */
    private final int[] raceOf;
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
        this.dag = dag;
        int size = dag.nodes().size();
        this.outputs = new String[size];
        this.states = new byte[size];
        this.raceOf = racesOf(dag);
        for (int i = 0; i < size; i++) {
            Step step = dag.nodes().get(i);
            if (step instanceof Step.Value value) {
                outputs[i] = value.envelope();
                states[i] = DONE;
                continue;
            }
            TaskRecord record = stored.get(taskId(step));
            if (record == null) {
                continue;
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
        for (int i = 0; i < size; i++) {
            if (raceOf[i] >= 0 && states[i] == PENDING && states[raceOf[i]] == DONE) {
                states[i] = SKIPPED; // its race was won before the restart: never poll it again
            }
        }
    }

    private static int[] racesOf(DagDefinition dag) {
        int[] races = new int[dag.nodes().size()];
        Arrays.fill(races, -1);
        for (int i = 0; i < races.length; i++) {
            if (dag.nodes().get(i) instanceof Step.FirstOf race) {
                for (int member : race.members()) {
                    races[member] = i;
                }
            }
        }
        return races;
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
                waits.removeIf(wait -> wait.taskId().equals(taskId(dag.nodes().get(node))));
            }
            int race = raceOf[node];
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
        Step.FirstOf step = (Step.FirstOf) dag.nodes().get(race);
        List<EventTask> losers = new ArrayList<>(step.members().length - 1);
        for (int position = 0; position < step.members().length; position++) {
            int member = step.members()[position];
            if (member == winner) {
                outputs[race] = RaceOutputs.compose(step, position, envelope);
                continue;
            }
            states[member] = SKIPPED;
            String loser = taskId(dag.nodes().get(member));
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
        int race = raceOf[node];
        if (race < 0) {
            return null;
        }
        Step.FirstOf step = (Step.FirstOf) dag.nodes().get(race);
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
        Step.Wait wait = (Step.Wait) dag.nodes().get(node);
        fail(wait.taskId() + ": " + message, wait.listener(), cause);
    }

    private void launchReady() {
        for (int i = 0; i < states.length; i++) {
            if (states[i] != PENDING) {
                continue;
            }
            if (raceOf[i] >= 0 && states[raceOf[i]] == DONE) {
                states[i] = SKIPPED;
                continue;
            }
            if (inputsDone(dag.nodes().get(i))) {
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
        Step step = dag.nodes().get(node);
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
            engine.executor().execute(() -> fail(wait.taskId() + ": " + e.getMessage(), wait.listener(), e));
            return null;
        }
        return new EventTask(engine.eventServices(), this, id, wait.taskId(), node, type, outputs[wait.args()]);
    }

    private void runTask(int node, Step.Task task, String[] inputEnvelopes, int attempt) {
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
                fail("task " + task.taskId() + " threw " + e + tries, e);
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
                                failure);
                    }
                },
                engine.executor());
    }

    private void nodeDone(int node, String envelope) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            outputs[node] = envelope;
            states[node] = DONE;
            launchReady();
        }
        maybeFinish();
    }

    /** @return whether this call queued the final status */
    private boolean maybeFinish() {
        String output;
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING || states[dag.root()] != DONE || commitsOutstanding > 0) {
                return false;
            }
            status = WorkflowStatus.SUCCESSFUL;
            output = outputs[dag.root()];
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

    private void fail(String message, Throwable cause) {
        fail(message, null, cause);
    }

    /** @param listener the listener of the wait that failed, or null */
    private void fail(String message, String listener, Throwable cause) {
        synchronized (this) {
            if (status != WorkflowStatus.RUNNING) {
                return;
            }
            status = WorkflowStatus.FAILED;
            cancelWaits();
        }
        // Once per workflow (the status guards it), with the trace: the stored status keeps it too,
        // but an operator reads the log first.
        if (listener == null) {
            LOG.warn("Workflow {} failed: {}", id, message, cause);
        } else {
            LOG.warn("Workflow {} failed: {} (listener {})", id, message, listener, cause);
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
        if (step instanceof Step.Task task) {
            return task.taskId();
        }
        if (step instanceof Step.FirstOf race) {
            return race.taskId();
        }
        return step instanceof Step.Wait wait ? wait.taskId() : null;
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
