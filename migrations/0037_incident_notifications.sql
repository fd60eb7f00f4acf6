-- Ready-to-send reports to IMY and the CSIRT at MCF (issue 33): what the authorities ask that an
-- incident did not hold, the text as sent, and the municipality's postal address.

-- The CSIRT clocks run from awareness of a significant incident, not from discovery.
ALTER TABLE incidents ADD COLUMN significant_from timestamptz;

-- Only the incident's handlers read these; its reporter never does.
CREATE TABLE incident_notice_facts (
    municipality_id uuid NOT NULL,
    incident_id uuid NOT NULL,
    -- ja, nej or okant.
    suspected_malicious text NOT NULL DEFAULT '' CHECK (suspected_malicious IN ('', 'ja', 'nej', 'okant')),
    cross_border text NOT NULL DEFAULT '' CHECK (cross_border IN ('', 'ja', 'nej', 'okant')),
    -- The description for the authorities (the reporter's own when empty).
    description text NOT NULL DEFAULT '',
    detection text NOT NULL DEFAULT '',
    indicators text NOT NULL DEFAULT '',
    -- When it happened, as far as known (IMY asks beside discovery and end).
    occurred_at timestamptz,
    ended_at timestamptz,
    subjects_count integer CHECK (subjects_count >= 0),
    records_count integer CHECK (records_count >= 0),
    subject_categories text NOT NULL DEFAULT '',
    data_kinds text[] NOT NULL DEFAULT '{}',
    consequences text NOT NULL DEFAULT '',
    -- ja, nej or senare.
    subjects_informed text NOT NULL DEFAULT '' CHECK (subjects_informed IN ('', 'ja', 'nej', 'senare')),
    subjects_informed_on date,
    subjects_not_informed_reason text NOT NULL DEFAULT '',
    delay_reason text NOT NULL DEFAULT '',
    economic_damage text NOT NULL DEFAULT '',
    recurrence_measures text NOT NULL DEFAULT '',
    signed_off_by text NOT NULL DEFAULT '',
    contact text NOT NULL DEFAULT '',
    secrecy_claim text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (municipality_id, incident_id),
    FOREIGN KEY (municipality_id, incident_id) REFERENCES incidents(municipality_id, id) ON DELETE CASCADE
);

-- What was sent, word for word.
ALTER TABLE incident_reports ADD COLUMN text text NOT NULL DEFAULT '';

ALTER TABLE municipalities ADD COLUMN postal_address text NOT NULL DEFAULT '';

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE incident_notice_facts ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_notice_facts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON incident_notice_facts
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
