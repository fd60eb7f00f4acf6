-- Two-factor sign-in with a time-based code (RFC 6238) for accounts that sign in with a
-- password: required for system administrators, and for everyone where a municipality asks.
ALTER TABLE users ADD COLUMN totp_secret text;
-- Offered on the enrolment page until a code from it is typed in.
ALTER TABLE users ADD COLUMN totp_pending_secret text;
-- The time step of the last code accepted: a code is accepted once.
ALTER TABLE users ADD COLUMN totp_last_step bigint;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE municipalities ADD COLUMN require_totp boolean NOT NULL DEFAULT false;

-- Ten one-time codes for a lost phone; only their hashes.
CREATE TABLE recovery_codes (
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- A password accepted, the code still to come: the session is made only after the code.
CREATE TABLE login_challenges (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    failures int NOT NULL DEFAULT 0
);
