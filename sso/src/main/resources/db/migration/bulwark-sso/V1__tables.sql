-- bulwark-sso, version 1: the replay cache (assertion IDs and ID-token nonces seen, until they
-- expire). Idempotent, so a database made by 0.1 without a history table converges.
CREATE TABLE IF NOT EXISTS bulwark_sso_replay (
  issuer text NOT NULL,
  id text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, id)
);
CREATE INDEX IF NOT EXISTS bulwark_sso_replay_expires ON bulwark_sso_replay (expires_at);
