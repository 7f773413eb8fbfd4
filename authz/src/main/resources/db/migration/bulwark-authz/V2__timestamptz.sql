-- bulwark-authz, version 2: every time column is timestamptz (microseconds; the nanoseconds of
-- 0.1's bigint columns are truncated), and the review time is reviewed_at. Idempotent.
DO $$
DECLARE
  col record;
BEGIN
  FOR col IN SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'bigint'
        AND ((table_name = 'bulwark_authz_bindings' AND column_name IN ('not_before', 'not_after', 'review_by'))
          OR (table_name = 'bulwark_authz_reviews' AND column_name IN ('at_nanos', 'next_review_by')))
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING '
        || 'to_timestamp(0) + (%I / 1000) * interval ''1 microsecond''',
        col.table_name, col.column_name, col.column_name);
  END LOOP;
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
      AND table_name = 'bulwark_authz_reviews' AND column_name = 'at_nanos') THEN
    ALTER TABLE bulwark_authz_reviews RENAME COLUMN at_nanos TO reviewed_at;
  END IF;
END $$;
