-- bulwark-authn, version 3: a session carries the authorities (role or permission names) its user
-- held when it was issued. Sessions stored before this version carry none. Idempotent.
ALTER TABLE bulwark_authn_sessions ADD COLUMN IF NOT EXISTS authorities text[] NOT NULL DEFAULT '{}';
