-- Row-level security as defence in depth: a connection sees only the rows of the
-- municipality in its `app.municipality_id` setting (set by Lisa for each request; see
-- src/db/tenant.rs). An empty or missing setting matches nothing and raises no error.
-- Lisa serves as a role that owns no tables; FORCE makes the policies hold for the owner
-- too, unless it is a superuser or has BYPASSRLS (the role that runs migrations).
-- The policies are plain SQL comparisons so the planner can use the municipality indexes.

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name
          FROM information_schema.columns c
          JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
         WHERE c.table_schema = 'public' AND c.column_name = 'municipality_id' AND tb.table_type = 'BASE TABLE'
           -- Looked up by their hash before anyone's municipality is known; below.
           AND c.table_name NOT IN ('api_tokens', 'role_grants', 'invitations', 'audit_log')
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant ON %I USING (municipality_id = NULLIF(current_setting(''app.municipality_id'', true), '''')::uuid)',
            t);
    END LOOP;
END
$$;

-- Role grants: the municipality's, and a signed-in user's own in every municipality (to
-- know where they may work). Only the municipality's may be changed.
ALTER TABLE role_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON role_grants
    USING (municipality_id = NULLIF(current_setting('app.municipality_id', true), '')::uuid);
CREATE POLICY own ON role_grants FOR SELECT
    USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);

-- Invitations: the inviting municipality's, and the invited user's own (to see, accept or
-- decline them from wherever they are signed in). The invited user cannot read the other
-- municipality's bodies, so an invitation keeps the name of the body it concerns.
ALTER TABLE invitations ADD COLUMN body_name text;
UPDATE invitations i SET body_name = b.name FROM bodies b WHERE b.id = i.body_id;
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invitations
    USING (municipality_id = NULLIF(current_setting('app.municipality_id', true), '')::uuid);
CREATE POLICY own ON invitations
    USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);

-- The change log: the municipality's entries; entries about no municipality (accounts) may
-- be written by anyone signed in but are read by none through Lisa.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_log
    USING (municipality_id = NULLIF(current_setting('app.municipality_id', true), '')::uuid)
    WITH CHECK (municipality_id IS NULL
                OR municipality_id = NULLIF(current_setting('app.municipality_id', true), '')::uuid);

-- How many other municipalities mark the same company as shared: a count across
-- municipalities, the one thing a supplier register may know of the others. Runs as the
-- owner, which sees past the policies.
CREATE FUNCTION shared_supplier_count(m uuid, org text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT count(DISTINCT o.municipality_id) FROM suppliers o
     WHERE o.is_shared AND o.org_number = org AND o.municipality_id <> m
$$;
REVOKE ALL ON FUNCTION shared_supplier_count(uuid, text) FROM PUBLIC;
