-- Accounts belong to their people (issue 27): no coordinator types another person's password,
-- a one-time link lasts only while its maker may still manage the account, wrong second-step
-- codes count against the account, and an enrolment's pending secret belongs to one session.

-- Who made a password link, and for which municipality. NULL: the person asked for it (mailed
-- to them). Links made before this migration have no maker and are ended.
ALTER TABLE password_resets ADD COLUMN made_by uuid REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE password_resets ADD COLUMN made_in uuid REFERENCES municipalities(id) ON DELETE CASCADE;
UPDATE password_resets SET expires_at = now() WHERE used_at IS NULL AND expires_at > now();

-- Whether a link still works: unused, in time, for an account not disabled, that has gained
-- no role outside the maker's municipality, made by someone who still may manage it there (a
-- coordinator there, or a system administrator). Row-level security hides other
-- municipalities' grants from Lisa's role, so this one fact is read past it.
CREATE FUNCTION password_link_holds(link bytea) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT EXISTS (
            SELECT 1 FROM password_resets r JOIN users u ON u.id = r.user_id
             WHERE r.token_hash = link AND r.used_at IS NULL AND r.expires_at > now() AND NOT u.disabled
               AND (r.made_in IS NULL
                    OR (NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.municipality_id <> r.made_in)
                        AND EXISTS (SELECT 1 FROM users maker
                                     WHERE maker.id = r.made_by AND NOT maker.disabled
                                       AND (maker.is_admin
                                            OR EXISTS (SELECT 1 FROM role_grants g
                                                        WHERE g.user_id = maker.id AND g.municipality_id = r.made_in
                                                          AND g.role = 'samordnare'))))))
    $$;
REVOKE ALL ON FUNCTION password_link_holds(bytea) FROM PUBLIC;

-- An account made by a coordinator has no password until its person chooses one through the
-- link; until then it is tied to the municipality that made it. True while that is so.
CREATE FUNCTION never_used(account uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        SELECT EXISTS (SELECT 1 FROM users WHERE id = account AND password_hash LIKE 'unset:%' AND last_login_at IS NULL)
    $$;
REVOKE ALL ON FUNCTION never_used(uuid) FROM PUBLIC;

-- Wrong second-step codes, counted per account across login challenges and the settings that
-- ask for a code; a correct code clears them, a correct password never does.
ALTER TABLE users ADD COLUMN second_step_failures int NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN second_step_wait_until timestamptz;

-- The secret offered for enrolment belongs to the session that asked for it.
ALTER TABLE sessions ADD COLUMN totp_pending_secret text;
ALTER TABLE users DROP COLUMN totp_pending_secret;

-- Sign-ins at an IdP that were begun and never finished are purged with expired sessions.
CREATE INDEX sso_logins_created ON sso_logins (created_at);
