-- When the board's decisions in an annual report were turned into proposed actions for the
-- next year's handlingsplan (done once per report).
ALTER TABLE annual_reports ADD COLUMN actions_proposed_at timestamptz;
