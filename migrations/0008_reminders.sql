-- Reminders: what the daily job found due soon or overdue for a user. Each one is made once
-- per item and due date; it is shown in the app and, unless the user turned email off,
-- sent by email when an SMTP server is configured.
CREATE TABLE reminders (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    area text NOT NULL,
    title text NOT NULL,
    link text NOT NULL,
    due date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    emailed_at timestamptz,
    UNIQUE (municipality_id, user_id, link, title, due)
);
CREATE INDEX reminders_user ON reminders (user_id, municipality_id, created_at DESC);
CREATE INDEX reminders_unsent ON reminders (created_at) WHERE emailed_at IS NULL;

ALTER TABLE users ADD COLUMN reminder_email boolean NOT NULL DEFAULT true;
