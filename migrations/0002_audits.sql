-- Audits (granskningar): questions with an assessment per audited body, recommendations
-- addressed to bodies, the boards' responses (yttranden), follow-up assessments that
-- carry recommendations across audit cycles, and actions (åtgärder).

-- The assessment scale for audit questions, per municipality (default in code when absent).
CREATE TABLE audit_settings (
    municipality_id uuid PRIMARY KEY REFERENCES municipalities(id),
    assessment_scale text[] NOT NULL
);

CREATE TABLE audits (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    title text NOT NULL,
    audit_firm text NOT NULL DEFAULT '',
    commissioned_by text NOT NULL CHECK (commissioned_by IN ('revisorerna', 'lekmannarevisorerna')),
    kind text NOT NULL CHECK (kind IN ('granskning', 'forstudie', 'uppfoljande')),
    report_date date,
    plan_year integer,
    overall_assessment text NOT NULL DEFAULT '',
    response_deadline date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id)
);
CREATE INDEX audits_municipality ON audits (municipality_id, report_date DESC);

-- The report as uploaded (PDF), kept in the database so that backups include it.
CREATE TABLE audit_reports (
    audit_id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    file_name text NOT NULL,
    size_bytes integer NOT NULL,
    sha256 bytea NOT NULL,
    content bytea NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id) ON DELETE CASCADE
);

CREATE TABLE audit_bodies (
    municipality_id uuid NOT NULL,
    audit_id uuid NOT NULL,
    body_id uuid NOT NULL,
    PRIMARY KEY (audit_id, body_id),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);

-- A follow-up audit and the audits it follows up.
CREATE TABLE audit_follow_ups (
    municipality_id uuid NOT NULL,
    audit_id uuid NOT NULL,
    followed_audit_id uuid NOT NULL,
    PRIMARY KEY (audit_id, followed_audit_id),
    CHECK (audit_id <> followed_audit_id),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, followed_audit_id) REFERENCES audits(municipality_id, id)
);

CREATE TABLE audit_questions (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    audit_id uuid NOT NULL,
    position integer NOT NULL,
    text text NOT NULL,
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id) ON DELETE CASCADE
);

CREATE TABLE question_assessments (
    municipality_id uuid NOT NULL,
    question_id uuid NOT NULL,
    body_id uuid NOT NULL,
    assessment text NOT NULL,
    comment text NOT NULL DEFAULT '',
    PRIMARY KEY (question_id, body_id),
    FOREIGN KEY (municipality_id, question_id) REFERENCES audit_questions(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);

CREATE TABLE recommendations (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    -- The audit in which the recommendation was first made; its age counts from that report.
    audit_id uuid NOT NULL,
    position integer NOT NULL,
    text text NOT NULL,
    priority text CHECK (priority IN ('lag', 'medel', 'hog')),
    areas text[] NOT NULL DEFAULT '{}',
    responsible_person_id uuid,
    target_date date,
    status text NOT NULL DEFAULT 'oppen' CHECK (status IN ('oppen', 'atgardad', 'verifierad', 'ateroppnad')),
    status_comment text NOT NULL DEFAULT '',
    evidence text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id),
    FOREIGN KEY (municipality_id, responsible_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX recommendations_municipality ON recommendations (municipality_id, status);

CREATE TABLE recommendation_bodies (
    municipality_id uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    body_id uuid NOT NULL,
    PRIMARY KEY (recommendation_id, body_id),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);
CREATE INDEX recommendation_bodies_body ON recommendation_bodies (body_id);

CREATE TABLE recommendation_questions (
    municipality_id uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    question_id uuid NOT NULL,
    PRIMARY KEY (recommendation_id, question_id),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, question_id) REFERENCES audit_questions(municipality_id, id) ON DELETE CASCADE
);

-- A board's written answer (yttrande) to a recommendation addressed to it.
CREATE TABLE recommendation_responses (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    body_id uuid NOT NULL,
    text text NOT NULL,
    planned_by date,
    decision_reference text NOT NULL DEFAULT '',
    decision_date date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (recommendation_id, body_id),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);

-- A follow-up audit's verdict on an earlier recommendation. One that is not fully met
-- remains (kvarstår): it is carried into the follow-up by this row, not copied.
CREATE TABLE follow_up_assessments (
    municipality_id uuid NOT NULL,
    audit_id uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    result text NOT NULL CHECK (result IN ('atgardad', 'delvis', 'ej_atgardad', 'inaktuell')),
    comment text NOT NULL DEFAULT '',
    assessed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (audit_id, recommendation_id),
    FOREIGN KEY (municipality_id, audit_id) REFERENCES audits(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE
);

-- Actions (åtgärder): one table for everything that needs doing, whatever it comes from.
CREATE TABLE actions (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    owner_person_id uuid,
    due_date date,
    status text NOT NULL DEFAULT 'planerad' CHECK (status IN ('planerad', 'pagar', 'klar')),
    recommendation_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, owner_person_id) REFERENCES people(municipality_id, id),
    FOREIGN KEY (municipality_id, recommendation_id) REFERENCES recommendations(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX actions_recommendation ON actions (recommendation_id);

CREATE TABLE action_notes (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    action_id uuid NOT NULL,
    noted_on date NOT NULL,
    note text NOT NULL,
    is_evidence boolean NOT NULL DEFAULT false,
    author_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE CASCADE
);

-- Files attached to an action as evidence of what was done.
CREATE TABLE action_files (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    action_id uuid NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes integer NOT NULL,
    sha256 bytea NOT NULL,
    content bytea NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (municipality_id, action_id) REFERENCES actions(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX action_files_action ON action_files (action_id);
