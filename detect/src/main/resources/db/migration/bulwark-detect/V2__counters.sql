-- bulwark-detect, version 2: counters per time bucket (the fleet's failures per second), one row per
-- bucket so every node's increment is one short row update however many events arrive. Idempotent.
CREATE TABLE IF NOT EXISTS bulwark_detect_counter (
  state_name text NOT NULL,
  state_key text NOT NULL,
  bucket bigint NOT NULL,
  count bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (state_name, state_key, bucket)
) WITH (fillfactor = 70);
CREATE INDEX IF NOT EXISTS bulwark_detect_counter_expiry ON bulwark_detect_counter (expires_at);
