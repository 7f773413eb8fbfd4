-- bulwark-authn, version 4: TOTP credentials and pending TOTP enrolments in the database. Seeds are
-- stored only as the host's SeedProtector returned them (encrypted, bound to the credential id).
-- Idempotent.

-- One enrolled TOTP credential per account.
CREATE TABLE IF NOT EXISTS bulwark_authn_totp_credentials (
  account_id varchar(255) PRIMARY KEY,
  credential_id varchar(255) NOT NULL UNIQUE,
  protected_seed bytea NOT NULL,
  algorithm varchar(16) NOT NULL,
  digits integer NOT NULL,
  period_seconds integer NOT NULL,
  drift_window integer NOT NULL,
  enrolled_at timestamptz NOT NULL
);

-- At most one enrolment per account waiting for its first code; attempts counts confirmations tried.
CREATE TABLE IF NOT EXISTS bulwark_authn_totp_pending (
  account_id varchar(255) PRIMARY KEY,
  credential_id varchar(255) NOT NULL,
  protected_seed bytea NOT NULL,
  algorithm varchar(16) NOT NULL,
  digits integer NOT NULL,
  period_seconds integer NOT NULL,
  drift_window integer NOT NULL,
  issuer varchar(255) NOT NULL,
  account_name varchar(255) NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL
);
CREATE INDEX IF NOT EXISTS bulwark_authn_totp_pending_expires ON bulwark_authn_totp_pending (expires_at);
