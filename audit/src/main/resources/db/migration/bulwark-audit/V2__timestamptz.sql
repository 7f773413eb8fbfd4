-- bulwark-audit, version 2: event times as timestamptz (they were written as UTC wall-clock
-- TIMESTAMP(6) values). Idempotent: a column already converted is left alone.
DO $$
BEGIN
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'bulwark_audit_event' AND column_name = 'recorded_at')
      = 'timestamp without time zone' THEN
    ALTER TABLE bulwark_audit_event ALTER COLUMN recorded_at TYPE timestamptz USING recorded_at AT TIME ZONE 'UTC';
  END IF;
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'bulwark_audit_event' AND column_name = 'occurred_at')
      = 'timestamp without time zone' THEN
    ALTER TABLE bulwark_audit_event ALTER COLUMN occurred_at TYPE timestamptz USING occurred_at AT TIME ZONE 'UTC';
  END IF;
END $$;
