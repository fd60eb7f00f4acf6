-- Suppliers and their contracts with the security requirements written into them and the
-- compliance checks made against those requirements; governing documents; training.

-- A supplier as one municipality knows it. A jointly owned company used by several
-- municipalities is marked shared and carries its organisation number: each municipality
-- keeps its own row, contracts and checks, and may see only how many others share it.
CREATE TABLE suppliers (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    name text NOT NULL,
    org_number text NOT NULL DEFAULT '',
    kind text NOT NULL CHECK (kind IN ('it_drift', 'systemleverantor', 'molntjanst', 'samagt_bolag')),
    contact text NOT NULL DEFAULT '',
    incident_contact text NOT NULL DEFAULT '',
    escalation_path text NOT NULL DEFAULT '',
    is_shared boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    UNIQUE (municipality_id, name),
    CHECK (NOT is_shared OR org_number <> '')
);
CREATE INDEX suppliers_shared ON suppliers (org_number) WHERE is_shared;

CREATE TABLE contracts (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    supplier_id uuid NOT NULL,
    title text NOT NULL,
    reference text NOT NULL DEFAULT '',
    starts_on date,
    ends_on date,
    notice_months smallint NOT NULL DEFAULT 0 CHECK (notice_months BETWEEN 0 AND 60),
    -- beställaransvarig
    owner_person_id uuid,
    sla_summary text NOT NULL DEFAULT '',
    -- personuppgiftsbiträdesavtal
    has_dpa boolean NOT NULL DEFAULT false,
    check_interval_months smallint NOT NULL DEFAULT 12 CHECK (check_interval_months BETWEEN 1 AND 60),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on),
    FOREIGN KEY (municipality_id, supplier_id) REFERENCES suppliers(municipality_id, id),
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX contracts_supplier ON contracts (supplier_id);

CREATE TABLE contract_systems (
    municipality_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    system_id uuid NOT NULL,
    PRIMARY KEY (contract_id, system_id),
    FOREIGN KEY (municipality_id, contract_id) REFERENCES contracts(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX contract_systems_system ON contract_systems (system_id);

-- The security requirements written into a contract, from the requirement catalogue.
CREATE TABLE contract_requirements (
    municipality_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    measure_id uuid NOT NULL,
    PRIMARY KEY (contract_id, measure_id),
    FOREIGN KEY (municipality_id, contract_id) REFERENCES contracts(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, measure_id) REFERENCES measures(municipality_id, id) ON DELETE CASCADE
);

ALTER TABLE actions DROP CONSTRAINT actions_source_check;
ALTER TABLE actions ADD CONSTRAINT actions_source_check
    CHECK (source IN ('manuell', 'rekommendation', 'risk', 'atgardskrav', 'skyddsanalys', 'efterlevnadskontroll'));

-- Efterlevnadskontroll: one requirement of one contract checked on one day.
CREATE TABLE compliance_checks (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    measure_id uuid NOT NULL,
    checked_on date NOT NULL,
    method text NOT NULL,
    result text NOT NULL CHECK (result IN ('uppfylls', 'delvis', 'uppfylls_ej')),
    evidence text NOT NULL DEFAULT '',
    -- The follow-up action proposed when the requirement is not met.
    action_id uuid,
    checked_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, contract_id) REFERENCES contracts(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, measure_id) REFERENCES measures(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE SET NULL (action_id)
);
CREATE INDEX compliance_checks_contract ON compliance_checks (contract_id, measure_id, checked_on DESC);

-- Styrdokument: policy, riktlinje, rutin, instruktion.
CREATE TABLE documents (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    title text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('policy', 'riktlinje', 'rutin', 'instruktion')),
    decided_by_body_id uuid,
    decided_on date,
    decision_reference text NOT NULL DEFAULT '',
    owner_person_id uuid,
    -- The body the document names as ultimately responsible for information security.
    responsible_body_id uuid,
    review_interval_months smallint NOT NULL DEFAULT 36 CHECK (review_interval_months BETWEEN 1 AND 120),
    last_reviewed_on date,
    status text NOT NULL DEFAULT 'gallande' CHECK (status IN ('utkast', 'gallande', 'upphavd')),
    link_url text NOT NULL DEFAULT '',
    -- Role codes of those who must know the document.
    audience text[] NOT NULL DEFAULT '{}',
    -- Set by the coordinator when the document contradicts another one.
    conflict_note text NOT NULL DEFAULT '',
    file_name text,
    content_type text,
    content bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    UNIQUE (municipality_id, title),
    FOREIGN KEY (municipality_id, decided_by_body_id) REFERENCES bodies(municipality_id, id),
    FOREIGN KEY (municipality_id, responsible_body_id) REFERENCES bodies(municipality_id, id),
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id)
);

CREATE TABLE training_campaigns (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    name text NOT NULL,
    year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    description text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    UNIQUE (municipality_id, name, year)
);

-- How many were in each target group of a campaign, and how many completed it.
CREATE TABLE training_participation (
    municipality_id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    target_group text NOT NULL
        CHECK (target_group IN ('alla', 'fortroendevalda', 'chefer', 'systemagare', 'forvaltare')),
    in_group integer NOT NULL CHECK (in_group >= 0),
    completed integer NOT NULL CHECK (completed >= 0 AND completed <= in_group),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, target_group),
    FOREIGN KEY (municipality_id, campaign_id) REFERENCES training_campaigns(municipality_id, id) ON DELETE CASCADE
);
