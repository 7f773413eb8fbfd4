-- bulwark-audit's checkpoint anchor, version 1: the anchor table, in the anchor database (not the
-- log's). Idempotent, so a database made before migrations were recorded converges.
CREATE TABLE IF NOT EXISTS bulwark_audit_anchor (
  origin VARCHAR(256) NOT NULL,
  tree_size BIGINT NOT NULL,
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  note TEXT NOT NULL,
  PRIMARY KEY (origin, id)
);
