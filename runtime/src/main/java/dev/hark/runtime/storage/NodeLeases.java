package dev.hark.runtime.storage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The part of a store that several runtimes ("nodes") share: who owns which running workflow.
 * Offered by {@link WorkflowStore#nodeLeases()} of a store that several nodes may open at once
 * (PostgreSQL); a store only one runtime can open (SQLite) has none.
 *
 * <p>Each node that opens the store is a new node with an id never used before (its epoch). The
 * node holds a lease in the store, which it renews; every workflow that is {@code RUNNING} or
 * {@code RESUMABLE} is owned by one node. A workflow created by this node, or set {@code RUNNING}
 * by it (a resume), is owned by it.
 *
 * <p><b>Fencing.</b> Every transaction a node commits checks, inside that transaction, that the
 * node's lease is still valid; a node whose lease expired or that another node fenced writes
 * nothing more: its writes fail with {@link FencedException}. A node is fenced when its lease
 * expired (paused, partitioned) or its process is gone (its database session ended); a node that
 * closes cleanly fences itself, so that others take its workflows over at once.
 *
 * <p>All methods are thread-safe.
 */
public interface NodeLeases {

    /** @return this node: its id, its name and the address others forward its workflows' events to */
    NodeRef self();

    /** @return how long a lease lasts without renewal */
    Duration lease();

    /**
     * Starts renewing this node's lease (on a thread of the store's, every third of the lease).
     * {@code onLost} runs once, on that thread, when the lease is lost: this node was fenced, or it
     * could not renew before expiry. From then on every write fails with {@link FencedException}.
     *
     * @param address where other nodes reach this node's event endpoint, when it serves HTTP
     */
    void join(Optional<URI> address, Runnable onLost);

    /**
     * Takes over the workflows of nodes that are gone: in one transaction, fences every other node
     * whose lease expired or whose database session ended, and makes this node the owner of every
     * {@code RUNNING} or {@code RESUMABLE} workflow owned by a fenced node (or by none), marking it
     * {@code RESUMABLE}. A workflow is taken by exactly one node however many call this at once.
     *
     * @return the ids of the workflows taken, for this node to resume
     * @throws FencedException when this node itself is fenced
     */
    List<String> takeOver();

    /**
     * @return the node that owns a {@code RUNNING} or {@code RESUMABLE} workflow when it is another
     *     node, not fenced (its lease may have expired: see {@link NodeRef#leaseValid()}); empty when
     *     this node owns it, nobody does, or it is not running
     */
    Optional<NodeRef> ownerElsewhere(String workflowId);

    /**
     * A node.
     *
     * @param id unique per opening of the store, never reused: the epoch
     * @param name the name the operator gave (or the host and process id), for logs
     * @param address where its event endpoint is reached, if it serves HTTP
     * @param leaseValid whether its lease had not expired when read
     */
    record NodeRef(long id, String name, Optional<URI> address, boolean leaseValid) {}

    /** This node lost its lease: it may not write. */
    final class FencedException extends StorageException {
        private static final long serialVersionUID = 1L;

        public FencedException(String message) {
            super(message);
        }
    }
}
