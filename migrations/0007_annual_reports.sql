-- The board's annual report (ledningens genomgång). A draft shows figures computed now;
-- publishing freezes them in `snapshot`, so the published report never changes afterwards.

CREATE TABLE annual_reports (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    year smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status text NOT NULL DEFAULT 'utkast' CHECK (status IN ('utkast', 'publicerad')),
    -- The coordinator's overall judgement.
    summary text NOT NULL DEFAULT '',
    -- Proposed decisions, and once taken the board's decisions with their reference.
    proposals text NOT NULL DEFAULT '',
    decisions text NOT NULL DEFAULT '',
    decision_reference text NOT NULL DEFAULT '',
    snapshot jsonb,
    published_at timestamptz,
    published_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    CHECK ((status = 'publicerad') = (snapshot IS NOT NULL AND published_at IS NOT NULL))
);
CREATE UNIQUE INDEX annual_reports_one_draft ON annual_reports (municipality_id, year) WHERE status = 'utkast';
CREATE INDEX annual_reports_municipality ON annual_reports (municipality_id, year DESC);
