-- bulwark-authn, version 2: every time column is timestamptz (microsecond precision), keeping the
-- rows of a database made by 0.1. Millisecond columns (lockout, TOTP) are converted exactly and
-- renamed without their _ms suffix; nanosecond columns (sessions, WebAuthn, grants) keep their
-- names and lose the digits below the microsecond. Durations (idle_nanos, duration_nanos) stay
-- bigint nanoseconds. Only columns still bigint are converted, so the file is idempotent.
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT * FROM (VALUES
      ('bulwark_authn_attempts', 'last_failure_ms', 'last_failure_at', 1000),
      ('bulwark_authn_attempts', 'expires_at_ms', 'expires_at', 1000),
      ('bulwark_authn_totp_steps', 'expires_at_ms', 'expires_at', 1000),
      ('bulwark_authn_sessions', 'auth_time', 'auth_time', 1),
      ('bulwark_authn_sessions', 'created_at', 'created_at', 1),
      ('bulwark_authn_sessions', 'last_seen_at', 'last_seen_at', 1),
      ('bulwark_authn_sessions', 'absolute_deadline', 'absolute_deadline', 1),
      ('bulwark_authn_sessions', 'elevated_until', 'elevated_until', 1),
      ('bulwark_authn_webauthn_credentials', 'registered_at', 'registered_at', 1),
      ('bulwark_authn_webauthn_credentials', 'last_used_at', 'last_used_at', 1),
      ('bulwark_authn_webauthn_ceremonies', 'expires_at', 'expires_at', 1),
      ('bulwark_authn_grants', 'requested_at', 'requested_at', 1),
      ('bulwark_authn_grants', 'decided_at', 'decided_at', 1),
      ('bulwark_authn_grants', 'active_from', 'active_from', 1),
      ('bulwark_authn_grants', 'active_until', 'active_until', 1))
    AS t (table_name, old_name, new_name, micros_per_unit)
  LOOP
    IF (SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()
          AND table_name = c.table_name AND column_name = c.old_name) = 'bigint' THEN
      IF c.micros_per_unit = 1000 THEN
        -- epoch milliseconds
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING timestamptz ''epoch'' + %I * interval ''1 millisecond''',
            c.table_name, c.old_name, c.old_name);
      ELSE
        -- epoch nanoseconds, floored to the microsecond
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE timestamptz USING timestamptz ''epoch'' + div(%I, 1000) * interval ''1 microsecond''',
            c.table_name, c.old_name, c.old_name);
      END IF;
      IF c.old_name <> c.new_name THEN
        EXECUTE format('ALTER TABLE %I RENAME COLUMN %I TO %I', c.table_name, c.old_name, c.new_name);
      END IF;
    END IF;
  END LOOP;
END $$;
