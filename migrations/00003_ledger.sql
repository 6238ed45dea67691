-- +goose Up
-- The scoring rubric (积分细则) as versioned data. A version is never changed:
-- the organisation department writes a new one that takes effect on the first
-- day of a later quarter, and every quarter is scored under the version in
-- force on its first day (see internal/ledger).
CREATE TABLE rubric_versions (
    id              bigserial PRIMARY KEY,
    version         int NOT NULL UNIQUE CHECK (version > 0),
    effective_from  date NOT NULL UNIQUE,
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_by      bigint REFERENCES users (id),
    created_by_name text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rubric_dimensions (
    version_id bigint NOT NULL REFERENCES rubric_versions (id),
    code       text NOT NULL CHECK (code IN ('theory_exam', 'theory_study', 'practice', 'evaluation')),
    position   int NOT NULL,
    name_zh    text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 50),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 80),
    cap        int NOT NULL CHECK (cap BETWEEN 1 AND 100),
    PRIMARY KEY (version_id, code)
);

-- A category awards points (both limits positive) or deducts them (both
-- negative); min/max bound the points of one entry.
CREATE TABLE rubric_categories (
    version_id     bigint NOT NULL,
    code           text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    position       int NOT NULL,
    name_zh        text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 50),
    name_en        text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 80),
    dimension_code text NOT NULL,
    min_points     int NOT NULL,
    max_points     int NOT NULL,
    PRIMARY KEY (version_id, code),
    FOREIGN KEY (version_id, dimension_code) REFERENCES rubric_dimensions (version_id, code),
    CHECK (min_points <= max_points AND (min_points > 0 OR max_points < 0))
);

-- Version 1: the Ruzhou plan's four dimensions at 25 points each.
INSERT INTO rubric_versions (version, effective_from, note, created_by_name)
VALUES (1, '2020-01-01', '汝州市育苗计划百分制量化考核（初始版本）', 'migration');
INSERT INTO rubric_dimensions (version_id, code, position, name_zh, name_en, cap)
SELECT v.id, d.code, d.position, d.name_zh, d.name_en, d.cap
FROM rubric_versions v, (VALUES
    ('theory_exam',  1, '理论考试',     'Theory exam',                      25),
    ('theory_study', 2, '政治理论学习', 'Political theory study',           25),
    ('practice',     3, '参加实践锻炼', 'Practical work',                   25),
    ('evaluation',   4, '党员群众评议', 'Evaluation by members and public', 25)
) AS d (code, position, name_zh, name_en, cap)
WHERE v.version = 1;
INSERT INTO rubric_categories (version_id, code, position, name_zh, name_en, dimension_code, min_points, max_points)
SELECT v.id, c.code, c.position, c.name_zh, c.name_en, c.dimension_code, c.min_points, c.max_points
FROM rubric_versions v, (VALUES
    ('exam_result',       1, '理论考试成绩',                       'Theory exam result',                       'theory_exam',  1,   25),
    ('study_attendance',  2, '参加政治理论学习',                   'Study session attendance',                 'theory_study', 1,   5),
    ('task_completion',   3, '任务完成情况',                       'Task completion',                          'practice',     1,   10),
    ('activity_conduct',  4, '活动表现',                           'Conduct in activities',                    'practice',     1,   10),
    ('critical_moment',   5, '关键时刻表现（抗疫抢险救灾等一线）', 'Conduct at critical moments (front line)', 'practice',     1,   10),
    ('evaluation_result', 6, '党员群众评议结果',                   'Evaluation by members and public',         'evaluation',   1,   25),
    ('study_absence',     7, '无故缺席学习（扣分）',               'Unexcused absence from study (deduction)', 'theory_study', -5,  -1),
    ('deduction',         8, '违规违纪或不良表现（扣分）',         'Misconduct (deduction)',                   'evaluation',   -10, -1)
) AS c (code, position, name_zh, name_en, dimension_code, min_points, max_points)
WHERE v.version = 1;

-- The points ledger (平时积分台账). One hash chain per candidate: seq counts
-- 1..n without gaps, and hash = SHA-256(prev_hash || canonical content) as
-- internal/ledger defines it. Rows are entries, reversals of an entry (one at
-- most, by the same candidate's chain) and evidence records (a file's hash
-- attached to an entry). Nothing is ever updated or deleted.
CREATE TABLE ledger_entries (
    id               bigserial PRIMARY KEY,
    candidate_id     bigint NOT NULL REFERENCES candidates (id),
    seq              int NOT NULL CHECK (seq > 0),
    kind             text NOT NULL CHECK (kind IN ('entry', 'reversal', 'evidence')),
    category         text,
    points           int NOT NULL DEFAULT 0,
    occurred_on      date,
    period           text CHECK (period ~ '^[0-9]{4}Q[1-4]$'),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    reverses         bigint UNIQUE,
    reason           text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    evidence_id      bigint UNIQUE,
    recorded_by      bigint REFERENCES users (id),
    recorded_by_name text NOT NULL,
    recorded_at      timestamptz NOT NULL,
    idempotency_key  text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_hash     bytea,
    prev_hash        bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash             bytea NOT NULL CHECK (length(hash) = 32),
    UNIQUE (candidate_id, seq),
    UNIQUE (candidate_id, id),
    UNIQUE (candidate_id, idempotency_key),
    FOREIGN KEY (candidate_id, reverses) REFERENCES ledger_entries (candidate_id, id),
    CHECK (occurred_on IS NULL OR period = extract(year FROM occurred_on)::int || 'Q' || extract(quarter FROM occurred_on)::int),
    CHECK (CASE kind
        WHEN 'entry' THEN category IS NOT NULL AND points <> 0 AND occurred_on IS NOT NULL AND period IS NOT NULL
                          AND reverses IS NULL AND evidence_id IS NULL AND length(description) > 0
        WHEN 'reversal' THEN category IS NOT NULL AND points <> 0 AND occurred_on IS NOT NULL AND period IS NOT NULL
                          AND reverses IS NOT NULL AND evidence_id IS NULL AND length(reason) > 0
        ELSE category IS NULL AND points = 0 AND occurred_on IS NULL AND period IS NULL
                          AND reverses IS NULL AND evidence_id IS NOT NULL
    END)
);

-- Evidence files: the bytes live in the evidence store under sha256; this row
-- says which entry the file documents. The chain row of kind 'evidence' that
-- points here carries the same hash, name, size and type in its own hash.
CREATE TABLE evidence_files (
    id           bigserial PRIMARY KEY,
    candidate_id bigint NOT NULL,
    entry_id     bigint NOT NULL,
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    size         bigint NOT NULL CHECK (size >= 0),
    content_type text NOT NULL,
    stored_at    timestamptz NOT NULL,
    FOREIGN KEY (candidate_id, entry_id) REFERENCES ledger_entries (candidate_id, id),
    UNIQUE (entry_id, sha256)
);
ALTER TABLE ledger_entries ADD FOREIGN KEY (evidence_id) REFERENCES evidence_files (id);

-- The person each branch names to keep its ledger (专人负责). The latest row
-- per branch is the current keeper; earlier rows are the history.
CREATE TABLE ledger_keepers (
    id       bigserial PRIMARY KEY,
    org_id   bigint NOT NULL REFERENCES orgs (id),
    user_id  bigint NOT NULL REFERENCES users (id),
    named_by bigint REFERENCES users (id),
    named_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_keepers_org ON ledger_keepers (org_id, id DESC);

-- History is append-only, enforced in the database itself (refuse_change()
-- comes from migration 00002).
CREATE TRIGGER rubric_versions_append_only BEFORE UPDATE OR DELETE ON rubric_versions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rubric_versions_no_truncate BEFORE TRUNCATE ON rubric_versions FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rubric_dimensions_append_only BEFORE UPDATE OR DELETE ON rubric_dimensions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rubric_dimensions_no_truncate BEFORE TRUNCATE ON rubric_dimensions FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rubric_categories_append_only BEFORE UPDATE OR DELETE ON rubric_categories FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER rubric_categories_no_truncate BEFORE TRUNCATE ON rubric_categories FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER evidence_files_append_only BEFORE UPDATE OR DELETE ON evidence_files FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER evidence_files_no_truncate BEFORE TRUNCATE ON evidence_files FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_keepers_append_only BEFORE UPDATE OR DELETE ON ledger_keepers FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_keepers_no_truncate BEFORE TRUNCATE ON ledger_keepers FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_evidence_id_fkey;
DROP TABLE evidence_files;
DROP TABLE ledger_entries;
DROP TABLE ledger_keepers;
DROP TABLE rubric_categories;
DROP TABLE rubric_dimensions;
DROP TABLE rubric_versions;
