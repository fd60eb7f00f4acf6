-- Several instances on one database (issue 29): nothing one instance keeps may outlive a change
-- committed through another.

-- Who is behind a session or API token, in one call: the credential, the account, its
-- municipalities and grants. Lisa's role may not read other municipalities' grants, so this
-- reads past row-level security, for the credential's own account only. Read afresh for every
-- request: a revoked token, a disabled account or a removed role stops working at once, on
-- every instance. A session begun at an IdP carries that municipality's grants alone, never
-- administration; a token answers to its own municipality's two-factor rule. In PL/pgSQL,
-- whose statement plans are kept per connection: as a SQL function, planned at every call, it
-- cost 1.2 ms a request; this way 0.14 ms.
CREATE FUNCTION identity_behind(credential bytea, is_session boolean, admins_need_two_factor boolean)
RETURNS TABLE (user_id uuid, csrf_token text, token_municipality uuid, read_only boolean, via_idp boolean,
               created_at timestamptz, last_seen_at timestamptz, email text, display_name text,
               is_admin boolean, disabled boolean, two_factor_enabled boolean, two_factor_required boolean,
               municipalities json, grants json)
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
                        '[]')
          FROM credential c JOIN users u ON u.id = c.user_id;
    END
    $$;
REVOKE ALL ON FUNCTION identity_behind(bytea, boolean, boolean) FROM PUBLIC;

-- Every change writes the change log in its own transaction; when it commits, every instance
-- hears which municipality changed and drops what it computed from that municipality's data.
CREATE FUNCTION announce_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
        BEGIN
            PERFORM pg_notify('lisa_changed', COALESCE(NEW.municipality_id::text, '*'));
            RETURN NULL;
        END
    $$;
CREATE TRIGGER announce_change AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION announce_change();

-- What decides who someone is (their account, roles, tokens, sessions, and the municipalities'
-- two-factor rules) announces each change on commit, with the account it concerns ('*' for
-- all), so that every instance drops the identities it keeps at once (`lisa_identity`).
CREATE FUNCTION announce_identity_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
        BEGIN
            IF TG_NARGS = 0 THEN
                PERFORM pg_notify('lisa_identity', '*');
            ELSE
                PERFORM pg_notify('lisa_identity',
                                  to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) ->> TG_ARGV[0]);
            END IF;
            RETURN NULL;
        END
    $$;
CREATE TRIGGER announce_identity_change AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION announce_identity_change('id');
CREATE TRIGGER announce_identity_change AFTER INSERT OR UPDATE OR DELETE ON role_grants
    FOR EACH ROW EXECUTE FUNCTION announce_identity_change('user_id');
CREATE TRIGGER announce_identity_change AFTER UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION announce_identity_change('user_id');
CREATE TRIGGER announce_identity_change AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION announce_identity_change('user_id');
CREATE TRIGGER announce_identity_change AFTER INSERT OR UPDATE OR DELETE ON municipalities
    FOR EACH STATEMENT EXECUTE FUNCTION announce_identity_change();
