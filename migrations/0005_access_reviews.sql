-- Behörighetsgranskning: at least yearly per system, from a system-generated extract,
-- covering both accounts and roles.

CREATE TABLE access_reviews (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL,
    system_id uuid NOT NULL,
    reviewed_on date NOT NULL,
    reviewer_person_id uuid,
    from_system_extract boolean NOT NULL,
    accounts_checked boolean NOT NULL,
    roles_checked boolean NOT NULL,
    accounts_removed integer NOT NULL DEFAULT 0 CHECK (accounts_removed >= 0),
    roles_changed integer NOT NULL DEFAULT 0 CHECK (roles_changed >= 0),
    findings text NOT NULL DEFAULT '',
    next_due date NOT NULL,
    recorded_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, system_id) REFERENCES systems(municipality_id, id) ON DELETE CASCADE,
    FOREIGN KEY (municipality_id, reviewer_person_id) REFERENCES people(municipality_id, id)
);
CREATE INDEX access_reviews_system ON access_reviews (system_id, reviewed_on DESC);
