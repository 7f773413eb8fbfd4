-- bulwark-demo, version 2: time as timestamptz; idempotent, so a database without history converges.
DO $$
BEGIN
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'bulwark_demo_items' AND column_name = 'created_at') = 'bigint' THEN
    ALTER TABLE bulwark_demo_items ALTER COLUMN created_at TYPE timestamptz
      USING to_timestamp(created_at / 1000000000.0);
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS bulwark_demo_items_created ON bulwark_demo_items (created_at);
