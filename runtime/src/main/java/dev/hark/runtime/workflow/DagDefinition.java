package dev.hark.runtime.workflow;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.hark.workflow.FunctionRef;
import java.util.List;

/**
 * The persisted form of a workflow DAG: nodes in dependency order (every input precedes its
 * consumer) referring to each other by index, and the index of the node whose output is the
 * workflow's output. This is what a new JVM reads to resume a workflow.
 *
 * @param version the format version
 * @param nodes the nodes, inputs first
 * @param root the index of the output node
 */
public record DagDefinition(int version, List<Step> nodes, int root) {

    /** The format this runtime writes. */
    public static final int CURRENT_VERSION = 1;

    public DagDefinition {
        nodes = List.copyOf(nodes);
    }

    /** One node of a persisted DAG. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = Step.Value.class, name = "value"),
        @JsonSubTypes.Type(value = Step.Task.class, name = "task"),
        @JsonSubTypes.Type(value = Step.Wait.class, name = "wait"),
        @JsonSubTypes.Type(value = Step.FirstOf.class, name = "first_of")
    })
    public sealed interface Step {

        /**
         * A constant.
         *
         * @param envelope the value envelope
         */
        record Value(String envelope) implements Step {}

        /**
         * A plain task.
         *
         * @param taskId unique within the workflow
         * @param inputs indexes of the input nodes, in argument order
         */
        record Task(String taskId, FunctionRef function, int[] inputs, int retries) implements Step {
            public Task {
                taskId = taskId.intern(); // shared by every workflow of the same shape, also when read back
            }
        }

        /**
         * An event wait.
         *
         * @param taskId unique within the workflow
         * @param listener the listener's class name
         * @param args index of the node whose output is the listener's arguments
         */
        record Wait(String taskId, String listener, int args) implements Step {
            public Wait {
                taskId = taskId.intern(); // shared by every workflow of the same shape, also when read back
                listener = listener.intern();
            }
        }

        /**
         * A race between waits [R8.1]: done when one member's event is checkpointed, in the same
         * transaction as this step's own record (its {@code taskId}), which no other member can then
         * write. Never launched itself; its members are, and the losers are cancelled.
         *
         * @param taskId unique within the workflow; the record that decides the race
         * @param members indexes of the racing {@link Wait} steps, in argument order
         * @param output what the step yields: {@code first_of} or {@code wait_result}
         */
        record FirstOf(String taskId, int[] members, String output) implements Step {
            public static final String FIRST_OF = "first_of";
            public static final String WAIT_RESULT = "wait_result";

            public FirstOf {
                taskId = taskId.intern();
                output = output.intern();
            }
        }
    }
}
