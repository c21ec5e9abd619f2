package dev.hark.runtime.cluster;

import dev.hark.runtime.concurrent.DaemonThreads;
import dev.hark.runtime.engine.Engine;
import dev.hark.runtime.engine.ResumeWindow;
import dev.hark.runtime.storage.NodeLeases;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This runtime as one node of several on a shared store: joins (the store starts renewing the
 * node's lease), takes over the workflows of nodes that are gone, at once and then every
 * {@link #roundPeriod}, and resumes what it took on its own thread, {@code hark-takeover}, so
 * that neither the timers nor the HTTP threads wait for the store.
 */
public final class ClusterMember {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    private static final Duration LONGEST_ROUND = Duration.ofSeconds(1);

    private final NodeLeases leases;
    private final Engine engine;
    private final ScheduledExecutorService rounds =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("hark-takeover"));
    private volatile boolean stopped;
    /** The resumption of what was taken over on joining, if anything was. */
    private volatile ResumeWindow opening;

    public ClusterMember(NodeLeases leases, Engine engine) {
        this.leases = leases;
        this.engine = engine;
    }

    /**
     * How often a node looks for gone nodes: a third of the lease, at most a second, so that a
     * killed node's workflows (its session ends at once) wait about a second, not a lease.
     */
    public static Duration roundPeriod(Duration lease) {
        Duration third = lease.dividedBy(3);
        return third.compareTo(LONGEST_ROUND) < 0 ? third : LONGEST_ROUND;
    }

    /**
     * Joins, takes over at once what gone nodes (this node's previous incarnation too) left, and
     * starts the periodic rounds.
     *
     * @param address where other nodes forward events for this node's workflows
     * @param onLost runs once when this node loses its lease
     * @return completes once the workflows taken now wait for their events again, with each one's output
     * @throws NodeLeases.FencedException if this node was fenced already
     */
    public CompletableFuture<Map<String, CompletableFuture<Object>>> join(Optional<URI> address, Runnable onLost) {
        NodeLeases.NodeRef self = leases.self();
        leases.join(address, () -> {
            stopped = true;
            rounds.shutdown();
            onLost.run();
        });
        LOG.info(
                "joined the cluster as node {} (#{}){}, lease {} s",
                self.name(),
                self.id(),
                address.map(uri -> " at " + uri).orElse(""),
                leases.lease().toMillis() / 1000.0);
        List<String> taken = leases.takeOver();
        CompletableFuture<Map<String, CompletableFuture<Object>>> first;
        if (taken.isEmpty()) {
            first = CompletableFuture.completedFuture(Map.of());
        } else {
            LOG.info("took over {} workflow(s) of nodes that stopped; resuming them", taken.size());
            ResumeWindow window = engine.beginResume(taken);
            opening = window;
            rounds.execute(() -> resume(taken, window));
            first = window.done();
        }
        long period = roundPeriod(leases.lease()).toMillis();
        rounds.scheduleWithFixedDelay(this::round, period, period, TimeUnit.MILLISECONDS);
        return first;
    }

    private void round() {
        if (stopped) {
            return;
        }
        List<String> taken;
        try {
            taken = leases.takeOver();
        } catch (NodeLeases.FencedException e) {
            stopped = true; // the store calls onLost
            return;
        } catch (RuntimeException e) {
            LOG.warn("Looking for the workflows of stopped nodes failed; the next round tries again: {}", e.toString());
            return;
        }
        if (!taken.isEmpty()) {
            LOG.info("took over {} workflow(s) of nodes that stopped; resuming them", taken.size());
            resume(taken, engine.beginResume(taken));
        }
    }

    private void resume(List<String> taken, ResumeWindow window) {
        try {
            engine.loadEarlyEvents(taken);
        } catch (RuntimeException e) { // the workflows still run; only their buffered events wait
            LOG.error(
                    "Loading the buffered events of {} workflow(s) taken over failed: {}", taken.size(), e.toString());
        }
        try {
            engine.resumeAll(taken, window);
        } catch (RuntimeException e) {
            if (!stopped) {
                LOG.error("Resuming {} workflow(s) taken over stopped: {}", taken.size(), e.toString(), e);
            }
        }
    }

    /** @return the resumption of the workflows taken over on joining (health says "starting" until it closes) */
    public Optional<ResumeWindow> openingWindow() {
        return Optional.ofNullable(opening);
    }

    /** Stops the rounds; a round under way finishes (the engine's close stops its resumption). */
    public void stop() {
        stopped = true;
        rounds.shutdown();
    }

    /** Waits (a while) for a round under way to end, after {@link #stop()} and the engine's close. */
    public void awaitStopped() {
        try {
            if (!rounds.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("A takeover round did not end within 10 s of closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
