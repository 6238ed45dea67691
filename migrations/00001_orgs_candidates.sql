-- +goose Up
-- The organisation tree. path is the materialised path of ids with a trailing
-- slash ('/1/12/123/'): "everything under this committee" is one prefix scan on
-- the text_pattern_ops index, the hottest filter in the product.
CREATE TABLE orgs (
    id         bigserial PRIMARY KEY,
    parent_id  bigint REFERENCES orgs (id),
    kind       text NOT NULL CHECK (kind IN ('city', 'committee', 'general_branch', 'branch', 'group')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    code       text UNIQUE,
    path       text NOT NULL UNIQUE CHECK (path LIKE '/%/'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orgs_path_prefix ON orgs (path text_pattern_ops);
CREATE INDEX orgs_parent ON orgs (parent_id);

-- A node's path is derived from its parent's, never written by hand: the
-- trigger fills it on insert, and a move rewrites the subtree in one statement.
-- +goose StatementBegin
CREATE FUNCTION orgs_set_path() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := '/' || NEW.id || '/';
    ELSE
        SELECT path || NEW.id || '/' INTO NEW.path FROM orgs WHERE id = NEW.parent_id;
        IF NEW.path IS NULL THEN
            RAISE EXCEPTION 'parent % does not exist', NEW.parent_id USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER orgs_path BEFORE INSERT ON orgs FOR EACH ROW EXECUTE FUNCTION orgs_set_path();

-- Candidates: people on their way in. stage_since is when the current stage
-- began; activist_since is kept apart because the one-year training rule
-- counts from it long after the stage has moved on.
CREATE TABLE candidates (
    id             bigserial PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES orgs (id),
    code           text UNIQUE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    gender         text NOT NULL DEFAULT '' CHECK (gender IN ('', 'male', 'female')),
    birth_date     date,
    occupation     text NOT NULL DEFAULT '' CHECK (length(occupation) <= 100),
    priority_group text CHECK (priority_group IN ('industrial_worker', 'young_farmer', 'highly_educated', 'student', 'non_public', 'social_org')),
    reserve_pool   boolean NOT NULL DEFAULT false,
    front_line     boolean NOT NULL DEFAULT false,
    stage          text NOT NULL DEFAULT 'applicant' CHECK (stage IN ('applicant', 'activist', 'target', 'probationary', 'full', 'disqualified', 'withdrawn')),
    applied_on     date NOT NULL,
    activist_since date,
    stage_since    date NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_org ON candidates (org_id, stage);

-- +goose Down
DROP TABLE candidates;
DROP TABLE orgs;
DROP FUNCTION orgs_set_path();
