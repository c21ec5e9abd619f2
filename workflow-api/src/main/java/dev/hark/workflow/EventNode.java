package dev.hark.workflow;

import dev.hark.api.Event;
import dev.hark.api.EventListener;

/**
 * A wait for one event from a listener.
 *
 * @param listener the listener class; instantiated with its public no-arg constructor
 * @param args the node whose output is the listener's arguments
 * @param name the base of the task's id, or null for the listener's simple name; the compiler
 *     appends {@code _2}, {@code _3} … where a workflow has several waits with one base
 */
public record EventNode<E extends Event>(Class<? extends EventListener<?, E>> listener, Node<?> args, String name)
        implements Node<E> {}
