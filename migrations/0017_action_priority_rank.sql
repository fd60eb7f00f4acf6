-- The action list's order (high priority first, then by due date) as a column and an index, so
-- that the order is written once and a page is read from the top of the index.
ALTER TABLE actions ADD COLUMN priority_rank smallint NOT NULL
    GENERATED ALWAYS AS (CASE priority WHEN 'hog' THEN 0 WHEN 'medel' THEN 1 WHEN 'lag' THEN 2 ELSE 3 END) STORED;
CREATE INDEX actions_in_order ON actions (municipality_id, priority_rank, due_date, created_at, id);
