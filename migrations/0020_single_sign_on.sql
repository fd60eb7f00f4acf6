-- Single sign-on with the municipality's own identity provider (OpenID Connect). Several
-- municipalities may name the same issuer (a joint IT board). The login page lists them before
-- anyone is known, so these tables are read without a tenant; the client secret is encrypted
-- with LISA_SECRET_KEY (XChaCha20-Poly1305, the municipality's id as associated data).
CREATE TABLE sso_providers (
    municipality_id uuid PRIMARY KEY REFERENCES municipalities(id) ON DELETE CASCADE,
    display_name text NOT NULL,
    issuer text NOT NULL,
    client_id text NOT NULL,
    client_secret bytea NOT NULL,
    -- Create an account with the employee role for a person the IdP knows and Lisa does not.
    create_accounts boolean NOT NULL DEFAULT false,
    -- Everyone with a role here signs in through the IdP, but break-glass accounts.
    require_sso boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A person at an IdP, once linked to a Lisa account: found by issuer and subject from then on.
CREATE TABLE sso_identities (
    issuer text NOT NULL,
    subject text NOT NULL,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    linked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- A sign-in under way: the state sent to the IdP (its hash), with the nonce and PKCE verifier
-- it must come back to. Used once.
CREATE TABLE sso_logins (
    state_hash bytea PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id) ON DELETE CASCADE,
    nonce text NOT NULL,
    pkce_verifier text NOT NULL,
    next text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- May sign in with a password where the municipality requires single sign-on.
ALTER TABLE users ADD COLUMN break_glass boolean NOT NULL DEFAULT false;

-- A session begun through an IdP remembers it and the ID token, so that logging out of Lisa can
-- end the sign-in at the IdP too (RP-initiated logout).
ALTER TABLE sessions ADD COLUMN idp_municipality_id uuid REFERENCES municipalities(id) ON DELETE SET NULL;
ALTER TABLE sessions ADD COLUMN id_token text;
