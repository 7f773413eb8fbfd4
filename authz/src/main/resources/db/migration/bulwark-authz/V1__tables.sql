-- bulwark-authz, version 1: the tables as release 0.1 made them (time as bigint nanoseconds since
-- the epoch). Idempotent, so a database made by 0.1 without a history table converges.
CREATE TABLE IF NOT EXISTS bulwark_authz_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  revision bigint NOT NULL,
  definitions text
);
INSERT INTO bulwark_authz_state (id, revision, definitions) VALUES (1, 0, NULL) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS bulwark_authz_bindings (
  id varchar(256) PRIMARY KEY,
  principal varchar(300) NOT NULL,
  role varchar(64) NOT NULL,
  tenant varchar(256) NOT NULL,
  scope_kind varchar(16) NOT NULL,
  scope_type varchar(64),
  scope_id varchar(256),
  not_before bigint,
  not_after bigint,
  review_by bigint
);
CREATE INDEX IF NOT EXISTS bulwark_authz_bindings_review ON bulwark_authz_bindings (review_by);
CREATE TABLE IF NOT EXISTS bulwark_authz_reviews (
  seq bigserial PRIMARY KEY,
  binding_id varchar(256) NOT NULL,
  outcome varchar(16) NOT NULL,
  reviewer varchar(256) NOT NULL,
  note varchar(1000) NOT NULL,
  at_nanos bigint NOT NULL,
  next_review_by bigint
);
CREATE INDEX IF NOT EXISTS bulwark_authz_reviews_binding ON bulwark_authz_reviews (binding_id, seq);
