-- Signing in: when each user last signed in (failures against the account count from then),
-- and the municipality they last worked in (where their next session starts).
ALTER TABLE users ADD COLUMN last_login_at timestamptz;
ALTER TABLE users ADD COLUMN last_municipality_id uuid REFERENCES municipalities(id) ON DELETE SET NULL;

-- A role offered to someone who already has an account in Lisa: nothing is granted, and
-- nothing about the account is shown to the municipality, until that person accepts.
CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('samordnare', 'systemagare', 'revisor', 'fortroendevald', 'medarbetare')),
    body_id uuid,
    -- What the inviting coordinator typed, shown to them instead of the account's own details.
    email text NOT NULL,
    display_name text NOT NULL,
    invited_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (municipality_id, user_id, role, body_id),
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id) ON DELETE CASCADE
);
CREATE INDEX invitations_user ON invitations (user_id);
