-- Hark's tables on PostgreSQL, version 1. Applied once, in one transaction, by PostgresSchema.
-- Ids are compared byte by byte (COLLATE "C"), whatever the database's locale: lists and pages
-- order them as the SQLite store does, and an index on them serves that order.

CREATE TABLE workflows (
  id         TEXT COLLATE "C" PRIMARY KEY,
  status     TEXT NOT NULL,
  dag        TEXT NOT NULL,
  output     TEXT,
  error      TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- No index on status: every status change would then write an index entry instead of a HOT update
-- in place; the scans by status (resume on open, list, count) read the table.

CREATE TABLE tasks (
  workflow_id TEXT COLLATE "C" NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  task_id     TEXT COLLATE "C" NOT NULL,
  state       TEXT NOT NULL,
  output      TEXT,
  PRIMARY KEY (workflow_id, task_id)
);

-- One row per claimed occurrence [R7.1]: the unique constraint is what refuses a second claim,
-- also between several writers. seq grows with time, so the retention sweep walks from the oldest.
CREATE TABLE event_claims (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source      TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  task_id     TEXT NOT NULL,
  claimed_at  BIGINT NOT NULL,
  CONSTRAINT event_claims_once UNIQUE (source, event_id)
);

-- Events kept for a running workflow that had no wait on their key yet [R9.1].
CREATE TABLE early_events (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id TEXT COLLATE "C" NOT NULL,
  event_key   TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  payload     TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  CONSTRAINT early_events_once UNIQUE (workflow_id, event_id)
);
