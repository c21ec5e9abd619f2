/**
 * Defining workflows: a DAG of {@link dev.hark.workflow.Node}s built with
 * {@link dev.hark.workflow.Dag} — plain tasks bound to values or to other tasks' outputs, event
 * waits, sleeps — the {@link dev.hark.workflow.WorkflowDefinition} a plugin offers by name, and the
 * statuses and errors a workflow can have. This is what a workflow-definition plugin compiles
 * against, and all of the runtime such a plugin sees.
 *
 * <p>A definition is validated when it is built, not when it runs: a task function that a new JVM
 * could not find again, a listener the runtime cannot instantiate, or arguments Jackson cannot
 * serialize are refused at once with a message naming the problem.
 */
package dev.hark.workflow;
