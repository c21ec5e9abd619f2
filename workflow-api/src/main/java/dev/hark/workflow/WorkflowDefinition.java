package dev.hark.workflow;

import java.util.Map;

/**
 * A named workflow that a standalone runtime can start from JSON input without having been
 * compiled with it: implementations live in plugin jars (or on the class path), registered in
 * {@code META-INF/services/dev.hark.workflow.WorkflowDefinition}, with a public no-arg
 * constructor.
 *
 * <p>The DAG that {@link #build} returns is persisted like any other, so its task functions and
 * listeners must come from this plugin (or the api and built-in listeners) for the workflow to
 * resume after a restart.
 */
public interface WorkflowDefinition {

    /**
     * @return the name operators start this workflow by; unique across plugins, and valid as a
     *     workflow id (letters, digits, {@code - _ . : @ + =})
     */
    String name();

    /**
     * Builds the DAG for one run.
     *
     * @param input the start request's JSON input as plain data ({@code Map}, {@code List},
     *     {@code String}, {@code Number}, {@code Boolean}); an empty map when none was given
     * @return the node whose output is the workflow's output
     * @throws IllegalArgumentException when the input does not fit; the message is shown to the caller
     */
    Node<?> build(Map<String, Object> input);
}
