package dev.hark.workflow;

/**
 * A constant input, serialized into the workflow definition.
 *
 * @param value the constant; must survive a Jackson round trip
 */
public record ValueNode<T>(T value) implements Node<T> {}
