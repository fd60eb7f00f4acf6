-- Indexes in the order the long lists are shown, so that a page is read from the top of its
-- index instead of sorting every row of the municipality.
CREATE INDEX systems_by_criticality ON systems (municipality_id, is_critical DESC, name, id);
CREATE INDEX systems_by_name ON systems (municipality_id, name, id);
