-- Foundation: tenants, organisation, accounts, sessions, API tokens, login throttling, audit log.
-- Enumerations are text with CHECK constraints so that Rust reads them as plain strings.

CREATE TABLE municipalities (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    org_number text NOT NULL UNIQUE,
    county text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bodies (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    kind text NOT NULL CHECK (kind IN ('kf', 'ks', 'namnd', 'gemensam_namnd', 'bolagsstyrelse')),
    name text NOT NULL,
    -- For a bolagsstyrelse: the company whose board it is.
    company_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, name),
    -- Lets child tables prove that a referenced body is in their own municipality.
    UNIQUE (municipality_id, id)
);

CREATE TABLE units (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    body_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('forvaltning', 'sektor', 'enhet')),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, name),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    is_admin boolean NOT NULL DEFAULT false,
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE people (
    id uuid PRIMARY KEY,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    name text NOT NULL,
    title text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    unit_id uuid,
    -- The login account of this person, when they have one.
    user_id uuid REFERENCES users(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_id, id),
    FOREIGN KEY (municipality_id, unit_id) REFERENCES units(municipality_id, id)
);
CREATE INDEX people_municipality_name ON people (municipality_id, name);

CREATE TABLE role_grants (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    role text NOT NULL CHECK (role IN ('samordnare', 'systemagare', 'revisor', 'fortroendevald', 'medarbetare')),
    body_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (user_id, municipality_id, role, body_id),
    FOREIGN KEY (municipality_id, body_id) REFERENCES bodies(municipality_id, id)
);
CREATE INDEX role_grants_user ON role_grants (user_id);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    municipality_id uuid NOT NULL REFERENCES municipalities(id),
    token_hash bytea NOT NULL UNIQUE,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

CREATE TABLE login_failures (
    id bigserial PRIMARY KEY,
    throttle_key text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_time ON login_failures (throttle_key, failed_at);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    municipality_id uuid REFERENCES municipalities(id),
    actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
    actor_name text NOT NULL,
    entity_type text NOT NULL,
    entity_id uuid,
    action text NOT NULL,
    before jsonb,
    after jsonb,
    request_id text
);
CREATE INDEX audit_log_municipality_time ON audit_log (municipality_id, occurred_at DESC);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, occurred_at DESC);

-- A municipality has one kommunfullmäktige and one kommunstyrelse.
CREATE UNIQUE INDEX bodies_one_kf_ks ON bodies (municipality_id, kind) WHERE kind IN ('kf', 'ks');
