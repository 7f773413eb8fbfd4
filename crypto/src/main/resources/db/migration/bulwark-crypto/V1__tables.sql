-- bulwark-crypto, version 1: one row per keyring, the record sealed under the master key.
-- revision and shredded are in the clear for the compare-and-set and for operators. No time
-- column: the record's times are inside the sealed record. Idempotent: a table made by 0.1.0
-- (created from code, without a history table) converges.
CREATE TABLE IF NOT EXISTS bulwark_crypto_keyring (
  keyring_id varchar(64) PRIMARY KEY,
  revision bigint NOT NULL CHECK (revision >= 1),
  shredded boolean NOT NULL,
  record bytea NOT NULL
);
