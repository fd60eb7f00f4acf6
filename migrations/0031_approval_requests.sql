-- "Be om godkännande" (issue 30): whoever classified information asks its owner to approve the
-- classification, in one step. The request is the owner's work item (the worklist, so the
-- start page and the daily reminders) until that version is approved or replaced.
CREATE TABLE approval_requests (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    asset_id uuid NOT NULL,
    -- The version asked about: a new classification needs a request of its own.
    classification_id uuid NOT NULL UNIQUE REFERENCES classifications(id) ON DELETE CASCADE,
    asked_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    asked_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, asset_id) REFERENCES information_assets(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX approval_requests_asset ON approval_requests (asset_id);

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE approval_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE approval_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON approval_requests
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
