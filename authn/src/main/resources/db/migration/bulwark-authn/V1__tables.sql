-- bulwark-authn, version 1: the tables as release 0.1 made them. Every statement is idempotent, so
-- a database made by 0.1 (which kept no history table) converges.

-- Lockout: failed attempts per key (account, factor, source); times in epoch milliseconds.
CREATE TABLE IF NOT EXISTS bulwark_authn_attempts (
  attempt_key varchar(1024) PRIMARY KEY,
  failures bigint NOT NULL,
  last_failure_ms bigint NOT NULL,
  expires_at_ms bigint NOT NULL,
  disabled boolean NOT NULL
);

-- TOTP: the last step accepted per credential, so a code is never accepted twice.
CREATE TABLE IF NOT EXISTS bulwark_authn_totp_steps (
  credential_id varchar(256) PRIMARY KEY,
  last_step bigint NOT NULL,
  expires_at_ms bigint NOT NULL
);

-- Sessions: one row per user locked while a login counts its sessions, one row per session keyed
-- by the SHA-256 of its token; times in epoch nanoseconds.
CREATE TABLE IF NOT EXISTS bulwark_authn_session_users (
  user_id varchar(255) PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS bulwark_authn_sessions (
  token_hash bytea PRIMARY KEY,
  session_id varchar(64) NOT NULL UNIQUE,
  user_id varchar(255) NOT NULL,
  aal varchar(8) NOT NULL,
  factors varchar(512) NOT NULL,
  auth_time bigint NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  idle_nanos bigint NOT NULL,
  absolute_deadline bigint NOT NULL,
  elevated_aal varchar(8),
  elevated_until bigint
);
CREATE INDEX IF NOT EXISTS bulwark_authn_sessions_user ON bulwark_authn_sessions (user_id);

-- WebAuthn: registered credentials and pending ceremonies; times in epoch nanoseconds.
CREATE TABLE IF NOT EXISTS bulwark_authn_webauthn_credentials (
  credential_id bytea PRIMARY KEY,
  user_handle bytea NOT NULL,
  username varchar(255) NOT NULL,
  public_key_cose bytea NOT NULL,
  signature_count bigint NOT NULL,
  discoverable boolean,
  backup_eligible boolean NOT NULL,
  backed_up boolean NOT NULL,
  registered_at bigint NOT NULL,
  last_used_at bigint
);
CREATE INDEX IF NOT EXISTS bulwark_authn_webauthn_username ON bulwark_authn_webauthn_credentials (username);
CREATE INDEX IF NOT EXISTS bulwark_authn_webauthn_handle ON bulwark_authn_webauthn_credentials (user_handle);
CREATE TABLE IF NOT EXISTS bulwark_authn_webauthn_ceremonies (
  ceremony_id varchar(64) PRIMARY KEY,
  request_json text NOT NULL,
  expires_at bigint NOT NULL
);

-- Time-boxed privilege grants; times in epoch nanoseconds.
CREATE TABLE IF NOT EXISTS bulwark_authn_grants (
  id varchar(64) PRIMARY KEY,
  subject varchar(255) NOT NULL,
  target varchar(255) NOT NULL,
  justification varchar(1000) NOT NULL,
  duration_nanos bigint NOT NULL,
  state varchar(16) NOT NULL,
  requested_at bigint NOT NULL,
  decided_by varchar(255),
  decided_at bigint,
  active_from bigint,
  active_until bigint
);
CREATE INDEX IF NOT EXISTS bulwark_authn_grants_subject ON bulwark_authn_grants (subject);
CREATE INDEX IF NOT EXISTS bulwark_authn_grants_state ON bulwark_authn_grants (state);
