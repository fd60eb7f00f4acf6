-- Information systems and their information assets, KLASSA classifications with the
-- requirement catalogue and self-assessments, risk analyses, and the yearly action plan.

CREATE TABLE systems (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    name text NOT NULL,
    purpose text NOT NULL DEFAULT '',
    -- The juridisk systemägare: a nämnd or a bolag.
    body_id uuid,
    owner_person_id uuid,
    unit_id uuid,
    -- Free text until the suppliers area links them.
    supplier_name text NOT NULL DEFAULT '',
    operator_name text NOT NULL DEFAULT '',
    hosting text NOT NULL DEFAULT 'egen' CHECK (hosting IN ('egen', 'leverantor', 'gemensam_it', 'moln')),
    users_count integer CHECK (users_count >= 0),
    lifecycle text NOT NULL DEFAULT 'i_drift' CHECK (lifecycle IN ('planerad', 'i_drift', 'avvecklas', 'avvecklad')),
    is_critical boolean NOT NULL DEFAULT false,
    is_nis boolean NOT NULL DEFAULT false,
    is_security_protection boolean NOT NULL DEFAULT false,
    is_welfare_tech boolean NOT NULL DEFAULT false,
    has_personal_data boolean NOT NULL DEFAULT false,
    has_sensitive_personal_data boolean NOT NULL DEFAULT false,
    review_interval_months integer NOT NULL DEFAULT 12 CHECK (review_interval_months BETWEEN 1 AND 60),
    -- When the classification was last reviewed, and when a major change asked for a new review.
    reviewed_on date,
    major_change_on date,
    -- The protection level per aspect: the maximum over the current classifications of
    -- its information assets, kept up to date in the transaction that classifies.
    level_k smallint,
    level_r smallint,
    level_t smallint,
    level_s smallint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, name),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id),
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id),
    FOREIGN KEY (municipality_id, unit_id) REFERENCES units(municipality_id, id)
);
CREATE INDEX systems_body ON systems (municipality_id, body_id);

CREATE TABLE system_administrators (
    municipality_id uuid NOT NULL,
    system_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (system_id, person_id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, person_id) REFERENCES people(municipality_id, id)
);

-- A system depends on another system of the municipality, or on an external party.
CREATE TABLE system_dependencies (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    system_id uuid NOT NULL,
    depends_on_system_id uuid,
    external_party text,
    description text NOT NULL DEFAULT '',
    CHECK ((depends_on_system_id IS NULL) <> (external_party IS NULL)),
    CHECK (depends_on_system_id IS DISTINCT FROM system_id),
    UNIQUE NULLS NOT DISTINCT (system_id, depends_on_system_id, external_party),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, depends_on_system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX system_dependencies_target ON system_dependencies (depends_on_system_id);

CREATE TABLE information_assets (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    system_id uuid NOT NULL,
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    -- The informationsägare.
    owner_person_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (system_id, name),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id)
);

-- Each classification of an asset is a new version; the highest version is the current one.
CREATE TABLE classifications (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    asset_id uuid NOT NULL,
    version integer NOT NULL,
    k smallint NOT NULL CHECK (k BETWEEN 0 AND 4),
    r smallint NOT NULL CHECK (r BETWEEN 0 AND 4),
    t smallint NOT NULL CHECK (t BETWEEN 0 AND 4),
    s smallint NOT NULL CHECK (s BETWEEN 0 AND 4),
    k_reason text NOT NULL DEFAULT '',
    r_reason text NOT NULL DEFAULT '',
    t_reason text NOT NULL DEFAULT '',
    s_reason text NOT NULL DEFAULT '',
    classified_by text NOT NULL,
    classified_at timestamptz NOT NULL DEFAULT now(),
    approved_by text,
    approved_at timestamptz,
    UNIQUE (asset_id, version),
    FOREIGN KEY (municipality_id, asset_id) REFERENCES information_assets(municipality_id, id) ON DELETE CASCADE
);

-- The requirement catalogue: a measure applies to a system whose level on `aspect` is
-- at least `min_level`. "kommun" measures are ÄR-krav, "leverantor" ones go into contracts.
CREATE TABLE measures (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    code text NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    category text NOT NULL DEFAULT '',
    aspect text NOT NULL CHECK (aspect IN ('k', 'r', 't', 's')),
    min_level smallint NOT NULL CHECK (min_level BETWEEN 1 AND 3),
    applies_to text NOT NULL CHECK (applies_to IN ('kommun', 'leverantor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, code),
    UNIQUE (municipality_id, id)
);

-- The system owner's self-assessment of a required measure.
CREATE TABLE measure_assessments (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    system_id uuid NOT NULL,
    measure_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('uppfylld', 'delvis', 'ej_uppfylld', 'ej_tillampligt')),
    comment text NOT NULL DEFAULT '',
    assessed_by text NOT NULL,
    assessed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (system_id, measure_id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, measure_id) REFERENCES measures(municipality_id, id) ON DELETE CASCADE
);

-- The municipality's risk scale: 1–4 or 1–5, named steps, and the matrix thresholds
-- (a value of at least medium_from is medium, of at least high_from is high).
CREATE TABLE risk_settings (
    municipality_id uuid PRIMARY KEY REFERENCES municipalities(id),
    scale_max smallint NOT NULL CHECK (scale_max IN (4, 5)),
    likelihood_steps text[] NOT NULL,
    consequence_steps text[] NOT NULL,
    medium_from smallint NOT NULL,
    high_from smallint NOT NULL,
    CHECK (cardinality(likelihood_steps) = scale_max AND cardinality(consequence_steps) = scale_max),
    CHECK (1 < medium_from AND medium_from < high_from AND high_from <= scale_max * scale_max)
);

CREATE TABLE risk_analyses (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    title text NOT NULL,
    object_kind text NOT NULL CHECK (object_kind IN ('system', 'process', 'it_miljo', 'valfardsteknik')),
    system_id uuid,
    -- The process or object in words when it is not a system.
    object_text text NOT NULL DEFAULT '',
    analysed_on date NOT NULL,
    participants text NOT NULL DEFAULT '',
    owner_person_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE SET NULL (system_id),
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX risk_analyses_system ON risk_analyses (system_id);

CREATE TABLE risks (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    analysis_id uuid NOT NULL,
    threat text NOT NULL,
    likelihood smallint NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    consequence smallint NOT NULL CHECK (consequence BETWEEN 1 AND 5),
    existing_measures text NOT NULL DEFAULT '',
    residual_likelihood smallint CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_consequence smallint CHECK (residual_consequence BETWEEN 1 AND 5),
    accepted_by text,
    accepted_at timestamptz,
    acceptance_comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, analysis_id) REFERENCES risk_analyses(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX risks_analysis ON risks (analysis_id);

-- Actions now come from recommendations, risks, unmet measures, level-4 protection
-- analyses, or are added by hand; "foreslagen" is proposed and not yet planned.
ALTER TABLE actions DROP CONSTRAINT actions_status_check;
ALTER TABLE actions ADD CONSTRAINT actions_status_check CHECK (status IN ('foreslagen', 'planerad', 'pagar', 'klar'));
ALTER TABLE actions
    ADD COLUMN source text NOT NULL DEFAULT 'manuell'
        CHECK (source IN ('manuell', 'rekommendation', 'risk', 'atgardskrav', 'skyddsanalys')),
    ADD COLUMN priority text CHECK (priority IN ('lag', 'medel', 'hog')),
    ADD COLUMN effort text NOT NULL DEFAULT '',
    ADD COLUMN system_id uuid,
    ADD COLUMN risk_id uuid,
    ADD COLUMN measure_id uuid,
    -- Removing what an action came from keeps the action: the work may still be needed.
    ADD FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE SET NULL (system_id),
    ADD FOREIGN KEY (municipality_id, risk_id) REFERENCES risks(municipality_id, id) ON DELETE SET NULL (risk_id),
    ADD FOREIGN KEY (municipality_id, measure_id) REFERENCES measures(municipality_id, id) ON DELETE SET NULL (measure_id);
UPDATE actions SET source = 'rekommendation' WHERE recommendation_id IS NOT NULL;
CREATE INDEX actions_system ON actions (system_id);
CREATE INDEX actions_risk ON actions (risk_id);

-- The handlingsplan: the actions chosen for a year, decided by the board.
CREATE TABLE action_plans (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    resources text NOT NULL DEFAULT '',
    decided_by_body_id uuid,
    decision_date date,
    decision_reference text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, year),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, decided_by_body_id) REFERENCES bodies(municipality_id, id)
);

CREATE TABLE action_plan_items (
    municipality_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    action_id uuid NOT NULL,
    PRIMARY KEY (plan_id, action_id),
    FOREIGN KEY (municipality_id, plan_id) REFERENCES action_plans(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE CASCADE
);
