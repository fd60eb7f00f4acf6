-- The systems a user keeps, as owner or one of the administrators: the one definition the
-- system owner's own lists (systems, risks, actions) select by, with indexes so that
-- finding them does not read the whole municipality. Call it in FROM
-- (`IN (SELECT k FROM systems_kept_by($1) k)`): there PostgreSQL inlines it.
CREATE INDEX people_user ON people (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX systems_owner ON systems (owner_person_id);
CREATE INDEX system_administrators_person ON system_administrators (person_id);

CREATE FUNCTION systems_kept_by(keeper uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE AS $$
    SELECT s.id FROM systems s JOIN people p ON p.id = s.owner_person_id WHERE p.user_id = keeper
    UNION
    SELECT sa.system_id FROM system_administrators sa JOIN people p ON p.id = sa.person_id WHERE p.user_id = keeper
$$;
