-- bulwark-demo, version 1: a table with a bigint time column, as releases before 0.2.0 made them.
CREATE TABLE IF NOT EXISTS bulwark_demo_items (
  id text PRIMARY KEY,
  created_at bigint NOT NULL
);
