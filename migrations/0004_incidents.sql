-- Incidents: reported by anyone, handled by the coordinator and named receivers, with the
-- legal clocks of GDPR art. 33 and the cyber-security law computed from their reports.

CREATE TABLE incidents (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    -- INC-<year>-<number>, numbered per municipality and year of reporting.
    year integer NOT NULL,
    number integer NOT NULL,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    discovered_at timestamptz NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now(),
    reporter_user_id uuid REFERENCES users(id),
    reporter_name text NOT NULL,
    information text NOT NULL DEFAULT '',
    personal_data boolean NOT NULL DEFAULT false,
    ongoing boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'ny' CHECK (status IN ('ny', 'utreds', 'atgardad', 'stangd')),
    category text CHECK (category IN ('obehorig_atkomst', 'skadlig_kod', 'phishing', 'felsand_information',
                                      'driftavbrott', 'forlust_av_utrustning', 'leverantorsincident', 'annat')),
    severity text CHECK (severity IN ('lag', 'medel', 'hog', 'allvarlig')),
    impact_k boolean NOT NULL DEFAULT false,
    impact_r boolean NOT NULL DEFAULT false,
    impact_t boolean NOT NULL DEFAULT false,
    -- The åtgärdsansvarig: the manager of the affected operation.
    responsible_person_id uuid,
    -- A betydande incident under the cyber-security law (2025:1506).
    significant boolean NOT NULL DEFAULT false,
    -- The recorded decision that a personal-data breach is unlikely to pose a risk (no IMY notification).
    imy_exempt_reason text NOT NULL DEFAULT '',
    supplier_name text NOT NULL DEFAULT '',
    escalated_at timestamptz,
    supplier_reference text NOT NULL DEFAULT '',
    measures text NOT NULL DEFAULT '',
    cause text NOT NULL DEFAULT '',
    lessons text NOT NULL DEFAULT '',
    -- When the incident was handled (no longer ongoing): the slutrapport clock may run from here.
    handled_at timestamptz,
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, year, number),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, responsible_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX incidents_reporter ON incidents (reporter_user_id);
CREATE INDEX incidents_discovered ON incidents (municipality_id, discovered_at);

CREATE TABLE incident_systems (
    municipality_id uuid NOT NULL,
    incident_id uuid NOT NULL,
    system_id uuid NOT NULL,
    PRIMARY KEY (incident_id, system_id),
    FOREIGN KEY (municipality_id, incident_id) REFERENCES incidents(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX incident_systems_system ON incident_systems (system_id);

-- The timeline: what happened and what was done, in order.
CREATE TABLE incident_events (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    incident_id uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    text text NOT NULL,
    author_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, incident_id) REFERENCES incidents(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);

-- Reports made to authorities: to IMY, and the CSIRT at MCF's early warning,
-- incidentanmälan, lägesrapport and slutrapport.
CREATE TABLE incident_reports (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    incident_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('imy', 'csirt', 'incidentanmalan', 'lagesrapport', 'slutrapport')),
    sent_at timestamptz NOT NULL,
    sent_by text NOT NULL,
    reference text NOT NULL DEFAULT '',
    -- Required when the report was sent after its deadline.
    late_reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, incident_id) REFERENCES incidents(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX incident_reports_incident ON incident_reports (incident_id);

-- Who receives and handles incidents besides the coordinator (incidentmottagare).
CREATE TABLE incident_receivers (
    municipality_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (municipality_id, person_id),
    FOREIGN KEY (municipality_id, person_id) REFERENCES people(municipality_id, id) ON DELETE CASCADE
);
