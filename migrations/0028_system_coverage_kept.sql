-- The systems list shows each system's information assets, how many are classified and its
-- latest risk analysis. Counting them row by row on every page was most of the list's database
-- time (issue 29), so the system keeps them, recounted by triggers in the same transaction as
-- any change to an asset, a classification or a risk analysis. What was true at a past date
-- (the annual report's figures) is still counted from the rows themselves.
ALTER TABLE systems
    ADD COLUMN assets_count integer NOT NULL DEFAULT 0,
    ADD COLUMN classified_assets integer NOT NULL DEFAULT 0,
    ADD COLUMN last_risk_analysis date;

-- Counts from the rows the caller sees: every change is made in its municipality's context,
-- which is the system's, so row-level security hides none of the system's own rows.
CREATE FUNCTION recount_system(system uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE systems s
       SET assets_count = (SELECT count(*) FROM information_assets a WHERE a.system_id = s.id),
           classified_assets = (SELECT count(*) FROM information_assets a
                                 WHERE a.system_id = s.id
                                   AND EXISTS (SELECT 1 FROM classifications c WHERE c.asset_id = a.id)),
           last_risk_analysis = (SELECT max(ra.analysed_on) FROM risk_analyses ra WHERE ra.system_id = s.id)
     WHERE s.id = system
$$;

CREATE FUNCTION recount_system_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    before_system uuid;
    after_system uuid;
BEGIN
    IF TG_TABLE_NAME = 'classifications' THEN
        IF TG_OP <> 'INSERT' THEN
            SELECT system_id INTO before_system FROM information_assets WHERE id = OLD.asset_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT system_id INTO after_system FROM information_assets WHERE id = NEW.asset_id;
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN before_system := OLD.system_id; END IF;
        IF TG_OP <> 'DELETE' THEN after_system := NEW.system_id; END IF;
    END IF;
    IF before_system IS NOT NULL THEN PERFORM recount_system(before_system); END IF;
    IF after_system IS NOT NULL AND after_system IS DISTINCT FROM before_system THEN
        PERFORM recount_system(after_system);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER recount_system AFTER INSERT OR DELETE OR UPDATE OF system_id ON information_assets
    FOR EACH ROW EXECUTE FUNCTION recount_system_of_row();
CREATE TRIGGER recount_system AFTER INSERT OR DELETE OR UPDATE OF asset_id ON classifications
    FOR EACH ROW EXECUTE FUNCTION recount_system_of_row();
CREATE TRIGGER recount_system AFTER INSERT OR DELETE OR UPDATE OF system_id, analysed_on ON risk_analyses
    FOR EACH ROW EXECUTE FUNCTION recount_system_of_row();

-- Migrations run as a role that bypasses row-level security, so this sees every system.
SELECT recount_system(id) FROM systems;
