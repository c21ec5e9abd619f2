/**
 * Executing workflows: one {@code WorkflowRun} per active workflow tracks which nodes are done,
 * launches tasks and waits as their inputs complete, checkpoints every output before anything
 * downstream sees it, and records the final status.
 */
package dev.hark.runtime.engine;
