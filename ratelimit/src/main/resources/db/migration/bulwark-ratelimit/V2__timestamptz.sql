-- bulwark-ratelimit, version 2: the theoretical arrival times are timestamptz[] and the time of
-- the last decision is decided_at timestamptz, keeping every row's values (both hold whole
-- microseconds, so nothing is lost). Only a table of 0.1's shape is converted; idempotent.
DO $$
BEGIN
  IF (SELECT udt_name FROM information_schema.columns WHERE table_schema = current_schema()
        AND table_name = 'bulwark_ratelimit' AND column_name = 'tats') = '_int8'
     AND (SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()
        AND table_name = 'bulwark_ratelimit' AND column_name = 'now_us') = 'bigint' THEN
    ALTER TABLE bulwark_ratelimit ADD COLUMN tats_at timestamptz[];
    UPDATE bulwark_ratelimit SET tats_at = ARRAY(
        SELECT timestamptz 'epoch' + x * interval '1 microsecond' FROM unnest(tats) WITH ORDINALITY AS u(x, i) ORDER BY i);
    ALTER TABLE bulwark_ratelimit DROP COLUMN tats;
    ALTER TABLE bulwark_ratelimit RENAME COLUMN tats_at TO tats;
    ALTER TABLE bulwark_ratelimit ALTER COLUMN tats SET NOT NULL;
    ALTER TABLE bulwark_ratelimit ALTER COLUMN now_us TYPE timestamptz
        USING timestamptz 'epoch' + now_us * interval '1 microsecond';
    ALTER TABLE bulwark_ratelimit RENAME COLUMN now_us TO decided_at;
  END IF;
END $$;
