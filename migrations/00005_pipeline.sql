-- +goose Up
-- The development pipeline. A stage change is a submission from the branch
-- that takes effect only when the upper committee approves it (一步一审).
-- Failed reviews are not a counter: they are the returned submissions and
-- failed political reviews of the candidate, counted when needed.

ALTER TABLE candidates
    ADD COLUMN probation_since           date,
    ADD COLUMN probation_extended_months int NOT NULL DEFAULT 0 CHECK (probation_extended_months BETWEEN 0 AND 12),
    ADD COLUMN talked_on                 date;

CREATE TABLE submissions (
    id               bigserial PRIMARY KEY,
    candidate_id     bigint NOT NULL REFERENCES candidates (id),
    from_stage       text NOT NULL,
    to_stage         text NOT NULL,
    kind             text NOT NULL,
    facts            jsonb NOT NULL,
    rules_version    text NOT NULL,
    effective_on     date NOT NULL,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'returned')),
    submitted_by     bigint NOT NULL REFERENCES users (id),
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    decided_by       bigint REFERENCES users (id),
    decided_at       timestamptz,
    decided_on       date,
    reasons          text NOT NULL DEFAULT '',
    CHECK ((state = 'pending') = (decided_by IS NULL))
);
-- A candidate has at most one submission waiting: the branch fixes and
-- resubmits a returned one rather than stacking proposals.
CREATE UNIQUE INDEX submissions_one_pending ON submissions (candidate_id) WHERE state = 'pending';
CREATE INDEX submissions_state ON submissions (state, submitted_at);

-- Every change of stage, approved or forced (disqualification), in order.
CREATE TABLE stage_changes (
    id            bigserial PRIMARY KEY,
    candidate_id  bigint NOT NULL REFERENCES candidates (id),
    from_stage    text NOT NULL,
    to_stage      text NOT NULL,
    effective_on  date NOT NULL,
    submission_id bigint REFERENCES submissions (id),
    reason        text NOT NULL DEFAULT '',
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stage_changes_candidate ON stage_changes (candidate_id, id);
CREATE INDEX stage_changes_to ON stage_changes (to_stage, effective_on);
-- A candidacy is disqualified at most once, however decisions race.
CREATE UNIQUE INDEX stage_changes_one_disqualification ON stage_changes (candidate_id) WHERE to_stage = 'disqualified';

-- Political review (政治审查) as the committee records it.
CREATE TABLE political_reviews (
    id           bigserial PRIMARY KEY,
    candidate_id bigint NOT NULL REFERENCES candidates (id),
    passed       boolean NOT NULL,
    conclusion   text NOT NULL CHECK (length(conclusion) BETWEEN 10 AND 2000),
    reviewed_on  date NOT NULL,
    recorded_by  bigint NOT NULL REFERENCES users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX political_reviews_candidate ON political_reviews (candidate_id);

-- Filing (备案): naming an activist or a development target is filed with the
-- upper committee, which acknowledges it in its queue.
CREATE TABLE filings (
    id               bigserial PRIMARY KEY,
    candidate_id     bigint NOT NULL REFERENCES candidates (id),
    submission_id    bigint NOT NULL UNIQUE REFERENCES submissions (id),
    kind             text NOT NULL CHECK (kind IN ('activist', 'target')),
    committee_id     bigint NOT NULL REFERENCES orgs (id),
    filed_at         timestamptz NOT NULL DEFAULT now(),
    acknowledged_by  bigint REFERENCES users (id),
    acknowledged_at  timestamptz
);
CREATE INDEX filings_committee ON filings (committee_id, acknowledged_at);

-- Yearly development quotas (发展计划): the organisation department sets one
-- per committee, which the committee may split among its branches.
CREATE TABLE quotas (
    year       int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    org_id     bigint NOT NULL REFERENCES orgs (id),
    amount     int NOT NULL CHECK (amount BETWEEN 0 AND 100000),
    set_by     bigint REFERENCES users (id),
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, org_id)
);

-- History is append-only, for the application role and by trigger.
CREATE TRIGGER stage_changes_append_only BEFORE UPDATE OR DELETE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER political_reviews_append_only BEFORE UPDATE OR DELETE ON political_reviews
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        GRANT SELECT, INSERT, UPDATE ON submissions, filings, quotas TO seedling_app;
        GRANT SELECT, INSERT ON stage_changes, political_reviews TO seedling_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON stage_changes, political_reviews FROM seedling_app;
        REVOKE DELETE, TRUNCATE ON submissions, filings FROM seedling_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE quotas;
DROP TABLE filings;
DROP TABLE political_reviews;
DROP TABLE stage_changes;
DROP TABLE submissions;
ALTER TABLE candidates DROP COLUMN probation_since, DROP COLUMN probation_extended_months, DROP COLUMN talked_on;
