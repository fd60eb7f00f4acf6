-- Continuity (issue 32): per critical system the outage the business tolerates and the data
-- loss it accepts (decided by the business, from its classification), what IT can deliver, the
-- reserve routine while the system is down, and the exercises and restore tests that prove it.

-- The municipality's targets per availability (T) level. No rows: Lisa's own defaults apply
-- (model::DEFAULT_TARGETS), shown as "Lisas standard, inte SKR:s eller MSB:s".
CREATE TABLE continuity_targets (
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    t_level smallint NOT NULL CHECK (t_level BETWEEN 0 AND 4),
    mtpd_hours integer CHECK (mtpd_hours > 0),
    rpo_hours integer CHECK (rpo_hours >= 0),
    exercise_months integer CHECK (exercise_months BETWEEN 1 AND 60),
    own_analysis boolean NOT NULL DEFAULT false,
    changed_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, t_level)
);

CREATE TABLE continuity_plans (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    system_id uuid NOT NULL,
    -- Maximum tolerable outage and recovery point, and who set them: the business or IT.
    mtpd_hours integer CHECK (mtpd_hours > 0),
    rpo_hours integer CHECK (rpo_hours >= 0),
    targets_set_by text CHECK (targets_set_by IN ('verksamheten', 'it')),
    targets_decided_by text NOT NULL DEFAULT '',
    targets_decided_on date,
    -- The recovery time IT can deliver, and what it rests on.
    rto_hours integer CHECK (rto_hours >= 0),
    rto_source text CHECK (rto_source IN ('avtal', 'test', 'bedomning')),
    restore_priority integer CHECK (restore_priority >= 1),
    reserve_routine text NOT NULL DEFAULT '',
    reserve_routine_owner_person_id uuid,
    reserve_routine_location text NOT NULL DEFAULT '',
    backup_frequency text NOT NULL DEFAULT '',
    -- Power, network and the like; systems and suppliers come from what the system holds.
    other_dependencies text NOT NULL DEFAULT '',
    plan_owner_person_id uuid,
    review_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    CONSTRAINT continuity_plans_one_per_system UNIQUE (municipality_id, system_id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, reserve_routine_owner_person_id) REFERENCES people(municipality_id, id),
    FOREIGN KEY (municipality_id, plan_owner_person_id) REFERENCES people(municipality_id, id)
);

CREATE TABLE continuity_exercises (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    title text NOT NULL CHECK (title <> ''),
    performed_on date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('aterlasningstest', 'skrivbordsovning', 'teknisk_ovning', 'fullskaleovning')),
    result text NOT NULL CHECK (result IN ('godkant', 'med_anmarkningar', 'underkant')),
    findings text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id)
);
CREATE INDEX continuity_exercises_day ON continuity_exercises (municipality_id, performed_on DESC);

CREATE TABLE continuity_exercise_systems (
    municipality_id uuid NOT NULL,
    exercise_id uuid NOT NULL,
    system_id uuid NOT NULL,
    PRIMARY KEY (exercise_id, system_id),
    FOREIGN KEY (municipality_id, exercise_id) REFERENCES continuity_exercises(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX continuity_exercise_systems_system ON continuity_exercise_systems (system_id);

CREATE TABLE continuity_exercise_suppliers (
    municipality_id uuid NOT NULL,
    exercise_id uuid NOT NULL,
    supplier_id uuid NOT NULL,
    PRIMARY KEY (exercise_id, supplier_id),
    FOREIGN KEY (municipality_id, exercise_id) REFERENCES continuity_exercises(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, supplier_id) REFERENCES suppliers(municipality_id, id) ON DELETE CASCADE
);

-- A finding of an exercise becomes an action (source "övning").
ALTER TABLE actions DROP CONSTRAINT actions_source_check;
ALTER TABLE actions ADD CONSTRAINT actions_source_check
    CHECK (source IN ('manuell', 'rekommendation', 'risk', 'atgardskrav', 'skyddsanalys', 'efterlevnadskontroll',
                      'ovning'));

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE continuity_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE continuity_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON continuity_targets
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE continuity_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE continuity_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON continuity_plans
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE continuity_exercises ENABLE ROW LEVEL SECURITY;
ALTER TABLE continuity_exercises FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON continuity_exercises
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE continuity_exercise_systems ENABLE ROW LEVEL SECURITY;
ALTER TABLE continuity_exercise_systems FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON continuity_exercise_systems
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
ALTER TABLE continuity_exercise_suppliers ENABLE ROW LEVEL SECURITY;
ALTER TABLE continuity_exercise_suppliers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON continuity_exercise_suppliers
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
