package dev.hark.runtime.testing;

import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.ForwardingWorkflowStore;
import dev.hark.runtime.storage.NodeLeases;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowStore;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.WorkflowStatus;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Ownership of workflows among nodes whose runtimes each have a store of their own (SQLite): the
 * part of a shared store that routing and takeover act on, and nothing else, so that they can be
 * tested without PostgreSQL. The real leases (fencing, expiry) are the PostgreSQL store's, tested
 * there and by the cluster tests in the distribution.
 */
public final class FakeCluster {

    private final Map<String, NodeLeases.NodeRef> owners = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Duration lease;

    public FakeCluster(Duration lease) {
        this.lease = lease;
    }

    /** The test says who owns a workflow (its node as others see it: address, lease valid or not). */
    public void own(String workflowId, NodeLeases.NodeRef owner) {
        owners.put(workflowId, owner);
    }

    /** A node that the test describes but that runs no runtime (a dead one, a paused one). */
    public NodeLeases.NodeRef node(String name, Optional<URI> address, boolean leaseValid) {
        return new NodeLeases.NodeRef(ids.incrementAndGet(), name, address, leaseValid);
    }

    /** @return a new node's leases */
    public Leases join(String name) {
        return new Leases(ids.incrementAndGet(), name);
    }

    /** One node's view. {@link #takeOver()} hands out what the test put in {@link #toTake}. */
    public final class Leases implements NodeLeases {
        private final long id;
        private final String name;
        private volatile Optional<URI> address = Optional.empty();
        private volatile Runnable onLost;
        private final AtomicBoolean joined = new AtomicBoolean();
        /** What the next takeOver() takes: the test's stand-in for the gone nodes' workflows. */
        public volatile Supplier<List<String>> toTake = List::of;

        Leases(long id, String name) {
            this.id = id;
            this.name = name;
        }

        @Override
        public NodeRef self() {
            return new NodeRef(id, name, address, true);
        }

        @Override
        public Duration lease() {
            return lease;
        }

        @Override
        public void join(Optional<URI> address, Runnable onLost) {
            if (!joined.compareAndSet(false, true)) {
                throw new IllegalStateException("joined twice");
            }
            this.address = address;
            this.onLost = onLost;
        }

        @Override
        public List<String> takeOver() {
            List<String> taken = toTake.get();
            toTake = List::of;
            taken.forEach(workflowId -> owners.put(workflowId, self()));
            return taken;
        }

        @Override
        public Optional<NodeRef> ownerElsewhere(String workflowId) {
            NodeRef owner = owners.get(workflowId);
            return owner == null || owner.id() == id ? Optional.empty() : Optional.of(owner);
        }

        /** @return the address the runtime joined with */
        public Optional<URI> address() {
            return address;
        }

        /** Loses the lease, as the store would on a failed renewal. */
        public void lose() {
            onLost.run();
        }

        public boolean joined() {
            return joined.get();
        }

        /**
         * A store over {@code real} that has these leases; {@code shared} answers reads of
         * workflows (and claims) {@code real} does not have, as one shared store would (the other nodes' rows).
         */
        public WorkflowStore store(WorkflowStore real, WorkflowStore... shared) {
            Leases leases = this;
            return new ForwardingWorkflowStore(real) {
                @Override
                public Optional<NodeLeases> nodeLeases() {
                    return Optional.of(leases);
                }

                @Override
                public Optional<WorkflowRecord> workflow(String workflowId) {
                    Optional<WorkflowRecord> mine = super.workflow(workflowId);
                    for (int i = 0; mine.isEmpty() && i < shared.length; i++) {
                        mine = shared[i].workflow(workflowId);
                    }
                    return mine;
                }

                @Override
                public Optional<ClaimRecord> claim(EventClaim claim) {
                    Optional<ClaimRecord> mine = super.claim(claim);
                    for (int i = 0; mine.isEmpty() && i < shared.length; i++) {
                        mine = shared[i].claim(claim);
                    }
                    return mine;
                }

                @Override
                public int markRunningResumable() {
                    throw new AssertionError("a node of a shared store must not mark others' workflows resumable");
                }
            };
        }
    }

    /** @return the ids stored RUNNING in {@code store}, made RESUMABLE: what a takeover of their node would do */
    public static List<String> takeRunning(WorkflowStore store) {
        List<String> running = store.list(Optional.of(WorkflowStatus.RUNNING)).stream()
                .map(WorkflowSummary::id)
                .toList();
        store.markRunningResumable();
        return running;
    }
}
