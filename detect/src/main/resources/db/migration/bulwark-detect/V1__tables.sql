-- bulwark-detect, version 1: the detectors' shared state. Windows keep their event times (the
-- events' own times, so replays and live runs agree); sets keep each member with the time it was
-- last seen; records keep one value. expires_at is on the database's clock: rows past it are
-- housekeeping only (JdbcDetectState.purgeExpired). Idempotent.
CREATE TABLE IF NOT EXISTS bulwark_detect_window (
  state_name text NOT NULL,
  state_key text NOT NULL,
  times timestamptz[] NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (state_name, state_key)
) WITH (fillfactor = 70);
CREATE INDEX IF NOT EXISTS bulwark_detect_window_expiry ON bulwark_detect_window (expires_at);
CREATE TABLE IF NOT EXISTS bulwark_detect_member (
  state_name text NOT NULL,
  state_key text NOT NULL,
  member text NOT NULL,
  seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (state_name, state_key, member)
);
CREATE INDEX IF NOT EXISTS bulwark_detect_member_expiry ON bulwark_detect_member (expires_at);
CREATE TABLE IF NOT EXISTS bulwark_detect_record (
  state_name text NOT NULL,
  state_key text NOT NULL,
  value text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (state_name, state_key)
);
CREATE INDEX IF NOT EXISTS bulwark_detect_record_expiry ON bulwark_detect_record (expires_at);
