-- What the person who reported an incident entered, kept apart from what its handlers later
-- decide (issue 27, L3): the reporter's view shows these, never the handler's assessment.
-- Incidents reported before this migration keep none, and show their reporter none.
ALTER TABLE incidents ADD COLUMN reported_personal_data boolean;
ALTER TABLE incidents ADD COLUMN reported_systems jsonb;
