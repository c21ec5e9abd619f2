package dev.hark.workflow;

/**
 * A node of a workflow DAG that yields a value of type {@code T} when it runs: a constant, a task,
 * or an event wait. Build nodes with {@link Dag}; run the node whose output you want.
 *
 * @param <T> the node's output type
 */
public sealed interface Node<T> permits ValueNode, TaskNode, EventNode, FirstOfNode {}
