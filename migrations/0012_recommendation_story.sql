-- The recommendation's story: answers asked for by each audit, statuses over time, and
-- annual reports counted as of a stated date.

-- A follow-up audit asks the addressed bodies again about what it carries, so an answer
-- (yttrande) belongs to the audit that asked for it as well as to the recommendation and body.
ALTER TABLE recommendation_responses ADD COLUMN audit_id uuid;
UPDATE recommendation_responses rr SET audit_id = r.audit_id FROM recommendations r WHERE r.id = rr.recommendation_id;
ALTER TABLE recommendation_responses ALTER COLUMN audit_id SET NOT NULL;
ALTER TABLE recommendation_responses DROP CONSTRAINT recommendation_responses_recommendation_id_body_id_key;
ALTER TABLE recommendation_responses ADD CONSTRAINT recommendation_responses_one_per_request
    UNIQUE (audit_id, recommendation_id, body_id);
ALTER TABLE recommendation_responses ADD FOREIGN KEY (municipality_id, audit_id)
    REFERENCES audits(municipality_id, id) ON DELETE CASCADE;

-- When each recommendation and each action got each status, so that a year's report can
-- count them as they stood on its date. Written by triggers, so no path can forget it; the
-- clock time keeps the order of changes made within one transaction.
CREATE TABLE recommendation_status_changes (
    municipality_id uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    status text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX recommendation_status_changes_at ON recommendation_status_changes (recommendation_id, changed_at DESC);
INSERT INTO recommendation_status_changes (municipality_id, recommendation_id, status, changed_at)
    SELECT municipality_id, id, 'oppen', created_at FROM recommendations;
INSERT INTO recommendation_status_changes (municipality_id, recommendation_id, status, changed_at)
    SELECT municipality_id, id, status, updated_at FROM recommendations WHERE status <> 'oppen';

CREATE FUNCTION record_recommendation_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recommendation_status_changes (municipality_id, recommendation_id, status, changed_at)
    VALUES (NEW.municipality_id, NEW.id, NEW.status, clock_timestamp());
    RETURN NULL;
END $$;
CREATE TRIGGER recommendation_status_created AFTER INSERT ON recommendations
    FOR EACH ROW EXECUTE FUNCTION record_recommendation_status();
CREATE TRIGGER recommendation_status_changed AFTER UPDATE OF status ON recommendations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION record_recommendation_status();

CREATE TABLE action_status_changes (
    municipality_id uuid NOT NULL,
    action_id uuid NOT NULL,
    status text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX action_status_changes_at ON action_status_changes (action_id, changed_at DESC);
INSERT INTO action_status_changes (municipality_id, action_id, status, changed_at)
    SELECT municipality_id, id, status, updated_at FROM actions;

CREATE FUNCTION record_action_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_status_changes (municipality_id, action_id, status, changed_at)
    VALUES (NEW.municipality_id, NEW.id, NEW.status, clock_timestamp());
    RETURN NULL;
END $$;
CREATE TRIGGER action_status_created AFTER INSERT ON actions
    FOR EACH ROW EXECUTE FUNCTION record_action_status();
CREATE TRIGGER action_status_changed AFTER UPDATE OF status ON actions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION record_action_status();

-- The date a report's figures describe: 31 December of its year unless the coordinator
-- states another. Who published it, by name and role rather than by login.
ALTER TABLE annual_reports ADD COLUMN as_of date;
ALTER TABLE annual_reports ADD COLUMN published_by_role text;
UPDATE annual_reports SET published_by = regexp_replace(published_by, '\s*<[^>]*>$', ''),
                          published_by_role = 'Informationssäkerhetssamordnare'
 WHERE published_by IS NOT NULL;
