-- bulwark-audit, version 1: the log's tables (head row, events, checkpoints, segments).
-- Idempotent, so a database made before migrations were recorded converges.
CREATE TABLE IF NOT EXISTS bulwark_audit_log (
  log_id VARCHAR(256) PRIMARY KEY,
  next_seq BIGINT NOT NULL,
  last_chain BYTEA NOT NULL,
  base_seq BIGINT NOT NULL,
  base_text TEXT NOT NULL,
  open_segment BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS bulwark_audit_event (
  log_id VARCHAR(256) NOT NULL,
  seq BIGINT NOT NULL,
  payload BYTEA NOT NULL,
  chain_hash BYTEA NOT NULL,
  prev_chain BYTEA NOT NULL,
  mac BYTEA NOT NULL,
  recorded_at TIMESTAMP(6) NOT NULL,
  occurred_at TIMESTAMP(6) NOT NULL,
  actor_id VARCHAR(256) NOT NULL,
  tenant VARCHAR(128),
  action VARCHAR(64) NOT NULL,
  correlation_id VARCHAR(128),
  PRIMARY KEY (log_id, seq),
  CONSTRAINT bulwark_audit_event_fork_guard UNIQUE (log_id, prev_chain)
);
CREATE INDEX IF NOT EXISTS bulwark_audit_event_time ON bulwark_audit_event (log_id, recorded_at);
CREATE INDEX IF NOT EXISTS bulwark_audit_event_actor ON bulwark_audit_event (log_id, actor_id, recorded_at);
CREATE INDEX IF NOT EXISTS bulwark_audit_event_tenant ON bulwark_audit_event (log_id, tenant, recorded_at);
CREATE INDEX IF NOT EXISTS bulwark_audit_event_action ON bulwark_audit_event (log_id, action, recorded_at);
CREATE INDEX IF NOT EXISTS bulwark_audit_event_correlation ON bulwark_audit_event (log_id, correlation_id);
CREATE TABLE IF NOT EXISTS bulwark_audit_checkpoint (
  log_id VARCHAR(256) NOT NULL,
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  note TEXT NOT NULL,
  PRIMARY KEY (log_id, id)
);
CREATE TABLE IF NOT EXISTS bulwark_audit_segment (
  log_id VARCHAR(256) NOT NULL,
  first_seq BIGINT NOT NULL,
  sealed BOOLEAN NOT NULL,
  legal_hold BOOLEAN NOT NULL,
  PRIMARY KEY (log_id, first_seq)
);
