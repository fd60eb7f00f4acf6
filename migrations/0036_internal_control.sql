-- Information security in each body's internal control plan (issue 32, KL 6 kap. 6 §):
-- risk → control point → method, sample, frequency, responsible → reported to the body at
-- delår/helår → result, deviation, action.

CREATE TABLE control_points (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    body_id uuid NOT NULL,
    year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    area text NOT NULL DEFAULT '',
    -- The risk the control addresses, in words, optionally linked to what Lisa holds.
    risk text NOT NULL DEFAULT '',
    risk_id uuid,
    recommendation_id uuid,
    system_id uuid,
    measure_id uuid,
    control text NOT NULL CHECK (control <> ''),
    method text NOT NULL CHECK (method IN ('stickprov', 'registerkontroll', 'systemrapport', 'intervju')),
    sample text NOT NULL DEFAULT '',
    frequency text NOT NULL CHECK (frequency IN ('manad', 'tertial', 'halvar', 'ar')),
    responsible_person_id uuid,
    reported_at text NOT NULL CHECK (reported_at IN ('delar', 'helar')),
    -- The starter point it was copied from, whose figures Lisa can show as evidence.
    starter text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id),
    FOREIGN KEY (municipality_id, risk_id) REFERENCES risks(municipality_id, id) ON DELETE SET NULL (risk_id),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id)
        ON DELETE SET NULL (recommendation_id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE SET NULL (system_id),
    FOREIGN KEY (municipality_id, measure_id) REFERENCES measures(municipality_id, id) ON DELETE SET NULL (measure_id),
    FOREIGN KEY (municipality_id, responsible_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX control_points_body_year ON control_points (municipality_id, year, body_id);

CREATE TABLE control_results (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    point_id uuid NOT NULL,
    performed_on date NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('utan_anmarkning', 'avvikelse')),
    comment text NOT NULL DEFAULT '',
    -- The action a deviation proposed.
    action_id uuid,
    recorded_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, point_id) REFERENCES control_points(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE SET NULL (action_id)
);
CREATE INDEX control_results_point ON control_results (point_id, performed_on DESC);

-- A result's evidence: one file, kept like an action's.
CREATE TABLE control_result_files (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    result_id uuid NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    content bytea NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, result_id) REFERENCES control_results(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX control_result_files_result ON control_result_files (result_id);

-- A deviation becomes an action (source "internkontroll").
ALTER TABLE actions DROP CONSTRAINT actions_source_check;
ALTER TABLE actions ADD CONSTRAINT actions_source_check
    CHECK (source IN ('manuell', 'rekommendation', 'risk', 'atgardskrav', 'skyddsanalys', 'efterlevnadskontroll',
                      'ovning', 'internkontroll'));

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE control_points ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_points FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON control_points
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE control_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_results FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON control_results
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE control_result_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE control_result_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON control_result_files
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
