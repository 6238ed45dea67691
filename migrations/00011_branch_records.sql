-- +goose Up
-- What the branch and the committee record about a person between steps:
-- the half-year assessment of activists and probationary members (每半年考察,
-- 细则 第十一条、第三十一条), the branch committee's review of a development
-- target (支委会审查, 第十八条) and the upper committee's pre-review (预审,
-- 第十九条) before the application form is issued, and the oath after
-- admission (入党宣誓, 第二十六条). Like the ledger, these are never edited or
-- deleted: a mistake is a new record.
CREATE TABLE branch_records (
    id           bigserial PRIMARY KEY,
    candidate_id bigint NOT NULL REFERENCES candidates (id),
    kind         text NOT NULL CHECK (kind IN ('assessment', 'oath', 'branch_review', 'prereview')),
    on_date      date NOT NULL,
    by_name      text NOT NULL CHECK (length(by_name) BETWEEN 1 AND 50),
    conclusion   text NOT NULL CHECK (length(conclusion) BETWEEN 2 AND 2000),
    recorded_by  bigint REFERENCES users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX branch_records_candidate ON branch_records (candidate_id, kind, on_date);
CREATE UNIQUE INDEX branch_records_one_oath ON branch_records (candidate_id) WHERE kind = 'oath';
-- Frozen with the function the audit trail and the ledger use (00002, 00003).
CREATE TRIGGER branch_records_append_only BEFORE UPDATE OR DELETE ON branch_records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER branch_records_no_truncate BEFORE TRUNCATE ON branch_records
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        GRANT SELECT, INSERT ON branch_records TO seedling_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON branch_records FROM seedling_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE branch_records;
