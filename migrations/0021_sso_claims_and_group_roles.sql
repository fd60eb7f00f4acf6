-- Which claim finds a person's account the first time: their verified email, or a claim the
-- municipality names (Entra ID sends `upn` and `preferred_username`, but no `email_verified`).
ALTER TABLE sso_providers ADD COLUMN match_claim text NOT NULL DEFAULT 'email';

-- Optionally the IdP decides roles: the claim that lists a person's groups, and which Lisa role
-- each group gives ([{"group": "...", "role": "revisor"}]). NULL: roles are managed in Lisa.
ALTER TABLE sso_providers ADD COLUMN group_claim text;
ALTER TABLE sso_providers ADD COLUMN group_roles jsonb NOT NULL DEFAULT '[]';
