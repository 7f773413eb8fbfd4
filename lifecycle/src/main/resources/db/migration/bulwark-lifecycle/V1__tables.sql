-- bulwark-lifecycle, version 1: the state Bulwark owns next to the host's tables (soft-delete
-- operations, legal holds, deletion evidence, the purge watermark, rows set aside). Every time
-- column is timestamptz. Idempotent: a database made by 0.1.0 (which created these tables from
-- code, without a history table) converges, gaining what 0.1.0 lacked.

CREATE TABLE IF NOT EXISTS bulwark_lifecycle_operations (
  op_id uuid PRIMARY KEY,
  actor text NOT NULL,
  reason text NOT NULL,
  deleted_at timestamptz NOT NULL,
  restored_by text,
  restored_reason text,
  restored_at timestamptz
);

CREATE TABLE IF NOT EXISTS bulwark_lifecycle_operation_records (
  op_id uuid NOT NULL REFERENCES bulwark_lifecycle_operations (op_id),
  seq int NOT NULL,
  data_class text NOT NULL,
  record_id text NOT NULL,
  purge_after timestamptz NOT NULL,
  prior_purge_after timestamptz,
  PRIMARY KEY (op_id, seq)
);

CREATE TABLE IF NOT EXISTS bulwark_lifecycle_holds (
  hold_id uuid PRIMARY KEY,
  scope text NOT NULL,
  target text NOT NULL,
  data_class text,
  reason text NOT NULL,
  owner text NOT NULL,
  placed_by text NOT NULL,
  placed_reason text NOT NULL,
  placed_at timestamptz NOT NULL,
  released_by text,
  released_reason text,
  released_at timestamptz
);

CREATE INDEX IF NOT EXISTS bulwark_lifecycle_holds_active ON bulwark_lifecycle_holds (scope, target)
  WHERE released_at IS NULL;

-- Hashes are packed 32 bytes each (no subject: 32 zero bytes), stored uncompressed since hashes do
-- not compress. One evidence row per batch keeps the purge's own writes small.
CREATE TABLE IF NOT EXISTS bulwark_lifecycle_evidence (
  seq bigserial UNIQUE,
  evidence_id uuid PRIMARY KEY,
  kind text NOT NULL,
  data_class text,
  policy text NOT NULL,
  record_hashes bytea NOT NULL,
  subject_hashes bytea NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  reason text NOT NULL,
  reference text NOT NULL,
  delivered boolean NOT NULL DEFAULT false
);

ALTER TABLE bulwark_lifecycle_evidence ALTER COLUMN record_hashes SET STORAGE EXTERNAL,
  ALTER COLUMN subject_hashes SET STORAGE EXTERNAL;

CREATE INDEX IF NOT EXISTS bulwark_lifecycle_evidence_pending ON bulwark_lifecycle_evidence (seq)
  WHERE NOT delivered;

CREATE TABLE IF NOT EXISTS bulwark_lifecycle_watermark (
  job text PRIMARY KEY,
  last_run_started_at timestamptz,
  last_completed_rows bigint
);

-- A subject (tenant) hold's target in each class's column type, canonical; NULL when the value
-- cannot exist in that column (the hold matches nothing there).
CREATE TABLE IF NOT EXISTS bulwark_lifecycle_hold_targets (
  hold_id uuid NOT NULL REFERENCES bulwark_lifecycle_holds (hold_id),
  data_class text NOT NULL,
  target text,
  PRIMARY KEY (hold_id, data_class)
);

-- Journal order of operations: two deletes in one clock tick are told apart by it.
ALTER TABLE bulwark_lifecycle_operations ADD COLUMN IF NOT EXISTS seq bigserial;

-- Rows a purge run could not delete; skipped for the rest of that run, retried by the next.
CREATE TABLE IF NOT EXISTS bulwark_lifecycle_set_aside (
  reference text NOT NULL,
  data_class text NOT NULL,
  record_id text NOT NULL,
  sql_state text,
  message text,
  at timestamptz NOT NULL,
  PRIMARY KEY (reference, data_class, record_id)
);
