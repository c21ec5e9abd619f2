/**
 * A workflow's persisted form: {@code DagCompiler} turns the {@link dev.hark.workflow.Node} graph a
 * definition built into a {@code DagDefinition}, the JSON stored with the workflow and read back
 * when it resumes in another JVM.
 */
package dev.hark.runtime.workflow;
