-- +goose Up
-- The public display (公示) of points, its objections (异议) and the member
-- role (internal/display has the rules).

-- 普通党员: a party member of a branch who reads its displays and objects.
ALTER TABLE grants DROP CONSTRAINT grants_role_check;
ALTER TABLE grants ADD CONSTRAINT grants_role_check
    CHECK (role IN ('org_admin', 'committee', 'secretary', 'group_leader', 'candidate', 'member'));

-- Display settings of a node and its subtree (a committee's own window and
-- answer time; the organisation department's masking). The nearest node
-- above a display with a row decides; the latest row of a node is in force.
CREATE TABLE display_settings (
    id             bigserial PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES orgs (id),
    window_days    int NOT NULL CHECK (window_days BETWEEN 1 AND 30),
    objection_days int NOT NULL CHECK (objection_days BETWEEN 1 AND 30),
    mask_names     boolean NOT NULL DEFAULT false,
    set_by         bigint REFERENCES users (id),
    set_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX display_settings_org ON display_settings (org_id, id DESC);

-- One version of a node's display for a period. A draft may be published
-- or discarded; after that the row is frozen. A reissue is a new version
-- pointing at the one it replaces.
CREATE TABLE displays (
    id             bigserial PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES orgs (id),
    period         text NOT NULL CHECK (period ~ '^[0-9]{4}(Q[1-4]|H[12])$'),
    version        int NOT NULL DEFAULT 1 CHECK (version > 0),
    previous_id    bigint REFERENCES displays (id),
    state          text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'discarded')),
    rubric_version int NOT NULL,
    hash           bytea NOT NULL CHECK (length(hash) = 32),
    window_days    int,
    objection_days int,
    mask_names     boolean NOT NULL DEFAULT false,
    opens_on       date,
    closes_on      date,
    created_by     bigint REFERENCES users (id),
    created_by_name text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_by   bigint REFERENCES users (id),
    published_at   timestamptz,
    CHECK ((state = 'published') = (opens_on IS NOT NULL AND closes_on IS NOT NULL AND published_at IS NOT NULL)),
    CHECK ((previous_id IS NULL) = (version = 1))
);
-- One live first version per node and period: a second is a conflict
-- unless it is a reissue (which has previous_id).
CREATE UNIQUE INDEX displays_one_per_period ON displays (org_id, period) WHERE previous_id IS NULL AND state <> 'discarded';
CREATE UNIQUE INDEX displays_one_reissue ON displays (previous_id) WHERE state <> 'discarded';
CREATE INDEX displays_org ON displays (org_id, period);

-- The frozen rows: one per activist or probationary member at the period's
-- end, with the head of their ledger chain at the snapshot.
CREATE TABLE display_rows (
    display_id   bigint NOT NULL REFERENCES displays (id),
    candidate_id bigint NOT NULL REFERENCES candidates (id),
    name         text NOT NULL,
    stage        text NOT NULL,
    points       int NOT NULL,
    dimensions   jsonb NOT NULL,
    strikes      int NOT NULL,
    head_seq     int NOT NULL,
    head_hash    bytea NOT NULL,
    PRIMARY KEY (display_id, candidate_id)
);

-- Objections about one row. Append-only: the answer is a row of
-- objection_resolutions, at most one per objection.
CREATE TABLE objections (
    id             bigserial PRIMARY KEY,
    display_id     bigint NOT NULL REFERENCES displays (id),
    candidate_id   bigint NOT NULL,
    text           text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    channel        text NOT NULL CHECK (channel IN ('online', 'paper', 'phone')),
    received_from  text NOT NULL DEFAULT '' CHECK (length(received_from) <= 100),
    raised_by      bigint REFERENCES users (id),
    raised_by_name text NOT NULL,
    raised_on      date NOT NULL,
    due_on         date NOT NULL,
    evidence_sha256 text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
    evidence_name   text,
    evidence_size   bigint,
    evidence_type   text,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (display_id, candidate_id) REFERENCES display_rows (display_id, candidate_id),
    CHECK ((channel = 'online') = (received_from = ''))
);
CREATE INDEX objections_display ON objections (display_id);
CREATE INDEX objections_raised_by ON objections (raised_by);

CREATE TABLE objection_resolutions (
    objection_id     bigint PRIMARY KEY REFERENCES objections (id),
    decision         text NOT NULL CHECK (decision IN ('upheld', 'rejected')),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    resolved_by      bigint REFERENCES users (id),
    resolved_by_name text NOT NULL,
    resolved_on      date NOT NULL,
    resolved_at      timestamptz NOT NULL DEFAULT now()
);

-- Frozen for everyone once fixed, as the ledger is (refuse_change() from
-- migration 00002): a display once out of draft, every row, every
-- objection, every resolution and every settings row.
CREATE TRIGGER displays_frozen BEFORE UPDATE OR DELETE ON displays
    FOR EACH ROW WHEN (OLD.state <> 'draft') EXECUTE FUNCTION refuse_change();
CREATE TRIGGER displays_no_delete BEFORE DELETE ON displays FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER displays_no_truncate BEFORE TRUNCATE ON displays FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER display_rows_append_only BEFORE UPDATE OR DELETE ON display_rows FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER display_rows_no_truncate BEFORE TRUNCATE ON display_rows FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER objections_append_only BEFORE UPDATE OR DELETE ON objections FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER objections_no_truncate BEFORE TRUNCATE ON objections FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER objection_resolutions_append_only BEFORE UPDATE OR DELETE ON objection_resolutions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER objection_resolutions_no_truncate BEFORE TRUNCATE ON objection_resolutions FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER display_settings_append_only BEFORE UPDATE OR DELETE ON display_settings FOR EACH ROW EXECUTE FUNCTION refuse_change();
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        GRANT SELECT, INSERT, UPDATE ON displays TO seedling_app;
        GRANT SELECT, INSERT ON display_rows, objections, objection_resolutions, display_settings TO seedling_app;
        REVOKE DELETE, TRUNCATE ON displays FROM seedling_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON display_rows, objections, objection_resolutions, display_settings FROM seedling_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE objection_resolutions;
DROP TABLE objections;
DROP TABLE display_rows;
DROP TABLE displays;
DROP TABLE display_settings;
DELETE FROM grants WHERE role = 'member';
ALTER TABLE grants DROP CONSTRAINT grants_role_check;
ALTER TABLE grants ADD CONSTRAINT grants_role_check
    CHECK (role IN ('org_admin', 'committee', 'secretary', 'group_leader', 'candidate'));
