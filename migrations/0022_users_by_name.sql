-- The user list is read by name, fifty at a time: with this index PostgreSQL walks the users in
-- name order and stops after the page instead of sorting every account of the municipality.
CREATE INDEX users_display_name ON users (display_name, id);
