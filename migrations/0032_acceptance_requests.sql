-- "Be om riskacceptans" (issue 30): whoever edits a risk analysis but may not accept its risks
-- asks the analysis' owner to decide on the untreated ones (accept the residual risk or plan a
-- treatment). The request is the owner's work item until no risk of the analysis is untreated.
CREATE TABLE acceptance_requests (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    analysis_id uuid NOT NULL,
    asked_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    asked_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, analysis_id) REFERENCES risk_analyses(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX acceptance_requests_analysis ON acceptance_requests (analysis_id, created_at DESC);

-- Like every tenant table (migrations 0015 and 0023).
ALTER TABLE acceptance_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE acceptance_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON acceptance_requests
    USING (municipality_id = (SELECT NULLIF(current_setting('app.municipality_id', true), '')::uuid));
