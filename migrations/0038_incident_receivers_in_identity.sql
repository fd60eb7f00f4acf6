-- A named incident receiver (incidentmottagare) handles every incident of the municipality,
-- as the coordinator does (issue 31): the menu offers them the incident register, and the rule
-- that lets them handle incidents reads who they are rather than asking the database again.
-- identity_behind (migrations 0026, 0030) therefore also names the municipalities where the
-- person is a receiver. Its result changes shape, so it is made anew.
DROP FUNCTION identity_behind(bytea, boolean, boolean);
CREATE FUNCTION identity_behind(credential bytea, is_session boolean, admins_need_two_factor boolean)
RETURNS TABLE (user_id uuid, csrf_token text, token_municipality uuid, read_only boolean, via_idp boolean,
               created_at timestamptz, last_seen_at timestamptz, email text, display_name text,
               is_admin boolean, disabled boolean, two_factor_enabled boolean, two_factor_required boolean,
               municipalities json, grants json, must_change_password boolean,
               receives_incidents uuid[])
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
               u.must_change_password AND NOT c.via_idp,
               ARRAY(SELECT r.municipality_id
                       FROM incident_receivers r
                       JOIN people p ON p.municipality_id = r.municipality_id AND p.id = r.person_id
                      WHERE p.user_id = u.id AND (NOT c.via_idp OR r.municipality_id = c.idp_municipality_id))
          FROM credential c JOIN users u ON u.id = c.user_id;
    END
    $$;
REVOKE ALL ON FUNCTION identity_behind(bytea, boolean, boolean) FROM PUBLIC;

-- Who receives incidents decides who someone is, so a change to the receivers, or to which
-- account a person is, is announced like a change of roles (migration 0026). A person's account
-- changing concerns both the old and the new account, so it announces everyone ('*'); it is
-- announced only when the account really changed, not at every edit of the person (a deleted
-- person leaves the receivers by cascade, which announces itself).
CREATE TRIGGER announce_identity_change AFTER INSERT OR UPDATE OR DELETE ON incident_receivers
    FOR EACH STATEMENT EXECUTE FUNCTION announce_identity_change();
CREATE TRIGGER announce_identity_change AFTER UPDATE OF user_id ON people
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION announce_identity_change();
