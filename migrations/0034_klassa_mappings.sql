-- Reading classifications from KLASSA (issue 33): which heading of the municipality's sheet holds
-- each column, remembered so that next year's sheet is read the same way.
CREATE TABLE klassa_mappings (
    municipality_id uuid PRIMARY KEY REFERENCES municipalities(id),
    -- Column code (system, informationsmangd, k, r, t, s, …) to the heading's text.
    mapping jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE klassa_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE klassa_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON klassa_mappings
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
