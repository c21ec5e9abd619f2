package dev.hark.runtime.storage.jdbc;

import dev.hark.runtime.storage.ClaimRecord;
import dev.hark.runtime.storage.EventClaim;
import dev.hark.runtime.storage.RaceDecidedException;
import dev.hark.runtime.storage.StorageException;
import dev.hark.runtime.storage.StoreWrite;
import dev.hark.runtime.storage.StoredWorkflow;
import dev.hark.runtime.storage.TaskRecord;
import dev.hark.runtime.storage.TaskState;
import dev.hark.runtime.storage.WorkflowRecord;
import dev.hark.runtime.storage.WorkflowSummary;
import dev.hark.workflow.UnknownWorkflowException;
import dev.hark.workflow.WorkflowStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The queries and row decoding that the JDBC stores share: their tables have the same columns, so a
 * stored row reads into the same record whichever database holds it. A bad value in a row (an
 * unknown status) is a {@link StorageException}.
 */
public final class StoredRows {

    /** The workflow's columns, 1..7, as {@link #workflowRecord} reads them; the table is {@code w}. */
    public static final String WORKFLOW_COLUMNS =
            "w.id, w.status, w.dag, w.output, w.error, w.created_at, w.updated_at";

    /**
     * One query for all workflows of a status with their tasks, ordered by workflow id (a workflow's
     * rows are adjacent), as {@link #forEachWithTasks} reads it.
     */
    public static final String FOR_EACH_WITH_TASKS_SQL = "SELECT " + WORKFLOW_COLUMNS
            + ", t.task_id, t.state, t.output"
            + " FROM workflows w LEFT JOIN tasks t ON t.workflow_id = w.id"
            + " WHERE w.status = ? ORDER BY w.id";

    /** The holder of a claim, as {@link #findClaim} reads it. */
    public static final String FIND_CLAIM_SQL =
            "SELECT workflow_id, task_id, claimed_at FROM event_claims WHERE source = ? AND event_id = ?";

    private StoredRows() {}

    public static Optional<WorkflowRecord> workflow(Connection c, String workflowId) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("SELECT " + WORKFLOW_COLUMNS + " FROM workflows w WHERE w.id = ?")) {
            p.setString(1, workflowId);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(workflowRecord(rs)) : Optional.empty();
            }
        }
    }

    public static Optional<ClaimRecord> claim(Connection c, EventClaim claim) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(FIND_CLAIM_SQL)) {
            return Optional.ofNullable(findClaim(p, claim));
        }
    }

    /** Reads a claim with {@link #FIND_CLAIM_SQL}; null if there is none. */
    public static ClaimRecord findClaim(PreparedStatement find, EventClaim claim) throws SQLException {
        find.setString(1, claim.source());
        find.setString(2, claim.eventId());
        try (ResultSet rs = find.executeQuery()) {
            return rs.next() ? new ClaimRecord(claim, rs.getString(1), rs.getString(2), rs.getLong(3)) : null;
        }
    }

    /**
     * Why a race's record could not be inserted: the race is decided already, or the workflow is
     * gone.
     *
     * @param findTask {@code SELECT 1 FROM tasks WHERE workflow_id = ? AND task_id = ?}
     * @return the refusal to throw
     */
    public static RuntimeException decisionRefused(
            PreparedStatement findTask, StoreWrite.PutTask w, StoreWrite.Decision decision) throws SQLException {
        findTask.setString(1, w.workflowId());
        findTask.setString(2, decision.taskId());
        try (ResultSet rs = findTask.executeQuery()) {
            if (rs.next()) {
                return new RaceDecidedException(w.workflowId(), decision.taskId(), w.taskId());
            }
        }
        return new UnknownWorkflowException(w.workflowId());
    }

    /**
     * Marks every running workflow resumable: a writer task, in the batch's transaction.
     *
     * @return how many workflows it marked
     */
    public static int markRunningResumable(Connection c) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("UPDATE workflows SET status = ?, updated_at = ? WHERE status = ?")) {
            p.setString(1, WorkflowStatus.RESUMABLE.name());
            p.setLong(2, System.currentTimeMillis());
            p.setString(3, WorkflowStatus.RUNNING.name());
            return p.executeUpdate();
        }
    }

    public static List<TaskRecord> tasks(Connection c, String workflowId) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("SELECT task_id, state, output FROM tasks WHERE workflow_id = ? ORDER BY task_id")) {
            p.setString(1, workflowId);
            List<TaskRecord> tasks = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    tasks.add(new TaskRecord(rs.getString(1), taskState(rs.getString(2)), rs.getString(3)));
                }
            }
            return tasks;
        }
    }

    /** A page of the workflow list: at most {@code limit} (at least 1) ids after {@code afterId}. */
    public static List<WorkflowSummary> list(Connection c, Optional<WorkflowStatus> status, String afterId, int limit)
            throws SQLException {
        String sql = "SELECT id, status FROM workflows WHERE id > ?" + (status.isPresent() ? " AND status = ?" : "")
                + " ORDER BY id LIMIT ?";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            int i = 1;
            p.setString(i++, afterId == null ? "" : afterId);
            if (status.isPresent()) {
                p.setString(i++, status.get().name());
            }
            p.setInt(i, limit);
            return summaries(p, Math.min(limit, 1024));
        }
    }

    public static List<WorkflowSummary> list(Connection c, Optional<WorkflowStatus> status) throws SQLException {
        String sql = status.isPresent()
                ? "SELECT id, status FROM workflows WHERE status = ? ORDER BY id"
                : "SELECT id, status FROM workflows ORDER BY id";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            if (status.isPresent()) {
                p.setString(1, status.get().name());
            }
            return summaries(p, 16);
        }
    }

    private static List<WorkflowSummary> summaries(PreparedStatement p, int expected) throws SQLException {
        List<WorkflowSummary> result = new ArrayList<>(expected);
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                result.add(new WorkflowSummary(rs.getString(1), workflowStatus(rs.getString(2))));
            }
        }
        return result;
    }

    public static int count(Connection c, WorkflowStatus status) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM workflows WHERE status = ?")) {
            p.setString(1, status.name());
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Reads the rows of {@link #FOR_EACH_WITH_TASKS_SQL} and hands each workflow to {@code action}
     * as soon as its last task row is read.
     */
    public static void forEachWithTasks(ResultSet rs, Consumer<StoredWorkflow> action) throws SQLException {
        WorkflowRecord current = null;
        List<TaskRecord> tasks = new ArrayList<>();
        while (rs.next()) {
            String id = rs.getString(1);
            if (current == null || !current.id().equals(id)) {
                if (current != null) {
                    action.accept(new StoredWorkflow(current, List.copyOf(tasks)));
                    tasks.clear();
                }
                current = workflowRecord(rs);
            }
            String taskId = rs.getString(8);
            if (taskId != null) { // LEFT JOIN: a workflow without tasks has one null row
                tasks.add(new TaskRecord(taskId, taskState(rs.getString(9)), rs.getString(10)));
            }
        }
        if (current != null) {
            action.accept(new StoredWorkflow(current, List.copyOf(tasks)));
        }
    }

    /** Binds {@code value}, or SQL NULL for null. */
    public static void setNullable(PreparedStatement p, int index, String value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.VARCHAR);
        } else {
            p.setString(index, value);
        }
    }

    /** Reads columns 1..7 as selected by {@link #WORKFLOW_COLUMNS}. */
    public static WorkflowRecord workflowRecord(ResultSet rs) throws SQLException {
        return new WorkflowRecord(
                rs.getString(1),
                workflowStatus(rs.getString(2)),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getLong(6),
                rs.getLong(7));
    }

    public static WorkflowStatus workflowStatus(String name) {
        try {
            return WorkflowStatus.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new StorageException("Unknown workflow status '" + name + "' in the database", e);
        }
    }

    public static TaskState taskState(String name) {
        try {
            return TaskState.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new StorageException("Unknown task state '" + name + "' in the database", e);
        }
    }
}
