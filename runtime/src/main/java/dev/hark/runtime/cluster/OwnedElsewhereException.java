package dev.hark.runtime.cluster;

import dev.hark.runtime.storage.NodeLeases;

/**
 * A change to a workflow (cancel, delete, resume) asked of a node that does not run it: another
 * live node of the cluster does, and only that node may change it. The admin API forwards the
 * request to {@link #owner()}; a Java caller asks that node.
 */
public final class OwnedElsewhereException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient NodeLeases.NodeRef owner;
    private final String workflowId;

    public OwnedElsewhereException(String workflowId, NodeLeases.NodeRef owner) {
        super("workflow '" + workflowId + "' runs on node " + owner.name() + " (#" + owner.id()
                + "); only that node can change it"
                + owner.address().map(address -> ": ask it at " + address).orElse(""));
        this.workflowId = workflowId;
        this.owner = owner;
    }

    public String workflowId() {
        return workflowId;
    }

    public NodeLeases.NodeRef owner() {
        return owner;
    }
}
