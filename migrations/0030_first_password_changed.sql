-- A first password set by someone else (`lisa user add --password`) must be changed at the
-- first sign-in (issue 30): until the person has chosen their own, a password session reaches
-- only the password page. A link the person follows to set it (first password, Glömt lösenord)
-- is their own choice, and so is a session begun at the municipality's IdP.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- identity_behind (migration 0026) also says whether the password must be changed. Its result
-- changes shape, so it is made anew.
DROP FUNCTION identity_behind(bytea, boolean, boolean);
CREATE FUNCTION identity_behind(credential bytea, is_session boolean, admins_need_two_factor boolean)
RETURNS TABLE (user_id uuid, csrf_token text, token_municipality uuid, read_only boolean, via_idp boolean,
               created_at timestamptz, last_seen_at timestamptz, email text, display_name text,
               is_admin boolean, disabled boolean, two_factor_enabled boolean, two_factor_required boolean,
               municipalities json, grants json, must_change_password boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public
    AS $$
    #variable_conflict use_column
    BEGIN
    RETURN QUERY
        WITH credential AS (
            SELECT s.user_id, s.csrf_token, NULL::uuid AS token_municipality, false AS read_only,
                   s.idp_municipality_id IS NOT NULL AS via_idp, s.idp_municipality_id, s.created_at, s.last_seen_at
              FROM sessions s WHERE s.token_hash = credential AND is_session
            UNION ALL
            SELECT t.user_id, NULL, t.municipality_id, t.read_only, false, NULL, t.created_at,
                   COALESCE(t.last_used_at, 'epoch')
              FROM api_tokens t
             WHERE t.token_hash = credential AND NOT is_session AND t.revoked_at IS NULL AND t.expires_at > now()
        )
        SELECT c.user_id, c.csrf_token, c.token_municipality, c.read_only, c.via_idp, c.created_at, c.last_seen_at,
               u.email, u.display_name, u.is_admin AND NOT c.via_idp, u.disabled,
               u.totp_secret IS NOT NULL,
               CASE WHEN c.via_idp THEN false
                    WHEN c.token_municipality IS NOT NULL
                      THEN (admins_need_two_factor AND u.is_admin)
                           OR EXISTS (SELECT 1 FROM municipalities m WHERE m.id = c.token_municipality AND m.require_totp)
                    ELSE (admins_need_two_factor AND u.is_admin)
                         OR EXISTS (SELECT 1 FROM role_grants g JOIN municipalities m ON m.id = g.municipality_id
                                     WHERE g.user_id = u.id AND m.require_totp) END,
               COALESCE((SELECT json_agg(json_build_object('id', m.id, 'name', m.name) ORDER BY m.name)
                           FROM municipalities m
                          WHERE (u.is_admin AND NOT c.via_idp
                                 OR m.id IN (SELECT g.municipality_id FROM role_grants g WHERE g.user_id = u.id))
                            AND (NOT c.via_idp OR m.id = c.idp_municipality_id)),
                        '[]'),
               COALESCE((SELECT json_agg(json_build_array(g.municipality_id,
                                                          json_build_object('role', g.role, 'body_id', g.body_id)))
                           FROM role_grants g
                          WHERE g.user_id = u.id AND (NOT c.via_idp OR g.municipality_id = c.idp_municipality_id)),
                        '[]'),
               u.must_change_password AND NOT c.via_idp
          FROM credential c JOIN users u ON u.id = c.user_id;
    END
    $$;
REVOKE ALL ON FUNCTION identity_behind(bytea, boolean, boolean) FROM PUBLIC;
