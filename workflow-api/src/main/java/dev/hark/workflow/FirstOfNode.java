package dev.hark.workflow;

import java.util.List;

/**
 * A race between waits: the first of {@code members} whose event is checkpointed wins, and every
 * other member is cancelled having consumed nothing [R8.1]. Built by {@link Dag#firstOf} (output
 * {@link FirstOf}) and by a wait with a timeout (output {@link WaitResult}).
 *
 * @param members the racing waits, in argument order; each is used by this race only
 * @param output what the node yields
 * @param <R> the node's output type
 */
public record FirstOfNode<R>(List<EventNode<?>> members, Output output) implements Node<R> {

    /** What a race yields. */
    public enum Output {
        /** A {@link FirstOf}: the winner's position and event. */
        FIRST_OF,
        /** A {@link WaitResult}: member 0 is the wait, member 1 the timer of its deadline. */
        WAIT_RESULT
    }

    public FirstOfNode {
        members = List.copyOf(members);
    }
}
