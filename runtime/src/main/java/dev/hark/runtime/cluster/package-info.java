/**
 * Several runtimes ("nodes") on one shared store: a node's lease, the periodic takeover of the
 * workflows of nodes that stopped, and their resumption here. The store enforces ownership and
 * fencing ({@link dev.hark.runtime.storage.NodeLeases}); this package only acts on its answers.
 */
package dev.hark.runtime.cluster;
