-- bulwark-ratelimit, version 1: the table as release 0.1 made it (theoretical arrival times and
-- the decision's time as bigint microseconds since the epoch). Idempotent, so a database made by
-- 0.1 without a history table converges.
CREATE TABLE IF NOT EXISTS bulwark_ratelimit (
  limit_key varchar(600) PRIMARY KEY,
  tats bigint[] NOT NULL,
  now_us bigint NOT NULL,
  admitted boolean NOT NULL
) WITH (fillfactor = 70);
