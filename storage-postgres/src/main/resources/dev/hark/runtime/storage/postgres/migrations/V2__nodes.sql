-- Several nodes on one database (issue 16), version 2. Applied once, in one transaction, by PostgresSchema.
-- One row per opening of the store (a node); its id is never reused, so it is also the node's epoch.
-- A workflow's lease is its owner's: renewing the node's row renews the leases of all its workflows.
-- Every time is the database's clock (clock_timestamp()), never a node's, so skew does not matter.

CREATE TABLE hark_nodes (
  id         BIGSERIAL PRIMARY KEY,
  name       TEXT NOT NULL,
  address    TEXT,
  joined_at  TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  fenced_at  TIMESTAMPTZ,
  fenced_by  BIGINT
);

-- The node that runs a RUNNING or RESUMABLE workflow; NULL for rows a version 1 database left,
-- which the first takeover takes. Kept (not cleared) once the workflow ends.
ALTER TABLE workflows ADD COLUMN owner BIGINT;

-- Takeover finds the workflows of a fenced node, and ownership checks find a workflow's owner,
-- among the running ones only: finished workflows, most of the table, are not in this index.
CREATE INDEX workflows_running_owner ON workflows (owner) WHERE status IN ('RUNNING', 'RESUMABLE');
