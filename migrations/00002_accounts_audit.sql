-- +goose Up
CREATE TABLE users (
    id                  bigserial PRIMARY KEY,
    username            text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name        text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash       text NOT NULL,
    disabled            boolean NOT NULL DEFAULT false,
    -- set when the account belongs to a candidate viewing their own record
    candidate_id        bigint UNIQUE REFERENCES candidates (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- A grant gives a role at a node and reaches its whole subtree. It names the
-- node by id, so moving a subtree moves every scope inside it.
CREATE TABLE grants (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    role       text NOT NULL CHECK (role IN ('org_admin', 'committee', 'secretary', 'group_leader', 'candidate')),
    org_id     bigint NOT NULL REFERENCES orgs (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, role, org_id)
);
CREATE INDEX grants_org ON grants (org_id);

-- Server-side sessions. Only the SHA-256 of the token is kept, so a copy of
-- this table does not let anyone log in.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id),
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now(),
    ip         text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per username, for the cool-off after five in 15 minutes.
CREATE TABLE login_failures (
    id       bigserial PRIMARY KEY,
    username text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    ip       text NOT NULL DEFAULT ''
);
CREATE INDEX login_failures_recent ON login_failures (username, at);

-- The audit trail: one row per state change or denied attempt, written in the
-- same transaction as the change. Rows are never changed or removed.
CREATE TABLE audit_events (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   bigint REFERENCES users (id),
    actor      text NOT NULL,
    role       text NOT NULL DEFAULT '',
    org_id     bigint REFERENCES orgs (id),
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    summary    text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_org ON audit_events (org_id, at DESC);
CREATE INDEX audit_events_at ON audit_events (at DESC);

-- Append-only, enforced in the database itself: even a bug or a hand-typed
-- statement in the application's role cannot rewrite history.
-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION refuse_change();
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE grants;
DROP TABLE users;
