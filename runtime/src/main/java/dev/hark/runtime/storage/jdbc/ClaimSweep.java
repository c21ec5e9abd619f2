package dev.hark.runtime.storage.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The sweep of old event claims: walks the claims from the oldest ({@code seq} order is time order)
 * in chunks, each chunk one writer task of its own run alone between batches (so that writes queued
 * meanwhile wait little), and stops at the first claim young enough to keep. A claim whose task
 * is checkpointed in a workflow not yet successful is kept whatever its age: a redelivery of its
 * event must still find it.
 */
public final class ClaimSweep {

    /** Deletes the claims with these {@code seq}s, on the writer's connection, all or none. */
    @FunctionalInterface
    public interface Delete {
        void delete(Connection c, List<Long> seqs) throws SQLException;
    }

    private final SingleWriter writer;
    private final long cutoff;
    private final int chunkSize;
    private final Delete delete;

    private ClaimSweep(SingleWriter writer, long cutoff, int chunkSize, Delete delete) {
        this.writer = writer;
        this.cutoff = cutoff;
        this.chunkSize = chunkSize;
        this.delete = delete;
    }

    /**
     * @param claimedBeforeMillis claims made before this are swept
     * @param chunkSize claims looked at per writer task
     * @return how many claims were deleted
     */
    public static CompletableFuture<Integer> sweep(
            SingleWriter writer, long claimedBeforeMillis, int chunkSize, Delete delete) {
        return new ClaimSweep(writer, claimedBeforeMillis, chunkSize, delete).from(0, 0);
    }

    private CompletableFuture<Integer> from(long afterSeq, int deletedSoFar) {
        return writer.submit(c -> chunk(c, afterSeq), false)
                .thenCompose(chunk -> chunk.lastSeq() < 0
                        ? CompletableFuture.completedFuture(deletedSoFar + chunk.deleted())
                        : from(chunk.lastSeq(), deletedSoFar + chunk.deleted()));
    }

    /** @param lastSeq where the next chunk starts, or -1 when the sweep is done */
    private record Chunk(int deleted, long lastSeq) {}

    private Chunk chunk(Connection c, long afterSeq) throws SQLException {
        List<Long> doomed = new ArrayList<>();
        long lastSeq = -1;
        boolean reachedYoung = false;
        int seen = 0;
        try (PreparedStatement p = c.prepareStatement("""
                SELECT c.seq, c.claimed_at, EXISTS (SELECT 1 FROM tasks t JOIN workflows w ON w.id = t.workflow_id
                       WHERE t.workflow_id = c.workflow_id AND t.task_id = c.task_id AND t.state = 'CHECKPOINTED'
                       AND w.status <> 'SUCCESSFUL')
                FROM event_claims c WHERE c.seq > ? ORDER BY c.seq LIMIT ?""")) {
            p.setLong(1, afterSeq);
            p.setInt(2, chunkSize);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    seen++;
                    if (rs.getLong(2) >= cutoff) {
                        reachedYoung = true;
                        break;
                    }
                    lastSeq = rs.getLong(1);
                    if (!rs.getBoolean(3)) {
                        doomed.add(lastSeq);
                    }
                }
            }
        }
        if (!doomed.isEmpty()) {
            delete.delete(c, doomed);
        }
        boolean done = reachedYoung || seen < chunkSize;
        return new Chunk(doomed.size(), done ? -1 : lastSeq);
    }
}
