-- API tokens expire (90 days unless asked otherwise, at most a year) and may be read-only.
-- Tokens made before this keep working for 90 days from now rather than stopping at once.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE api_tokens ADD COLUMN read_only boolean NOT NULL DEFAULT false;
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at DESC);
CREATE INDEX api_tokens_municipality ON api_tokens (municipality_id, created_at DESC);

-- How the user last signed in: 'losenord' (a password) or 'sso' (the municipality's IdP).
ALTER TABLE users ADD COLUMN last_login_method text;

-- One-time links to choose a new password, made for a user by a coordinator or administrator.
-- Only the link's hash is kept; a link works once, within its time.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Whether an account has roles in this municipality and nowhere else: its coordinator may
-- disable it; one that also works elsewhere is the system administrator's. Row-level security
-- hides other municipalities' grants, so this one fact is read past it.
CREATE FUNCTION works_only_in(account uuid, m uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT EXISTS (SELECT 1 FROM role_grants WHERE user_id = account AND municipality_id = m)
           AND NOT EXISTS (SELECT 1 FROM role_grants WHERE user_id = account AND municipality_id <> m)
    $$;
REVOKE ALL ON FUNCTION works_only_in(uuid, uuid) FROM PUBLIC;
