-- +goose Up
-- Pre-admission notices (公示 before naming a development target and before
-- admission): one row per notice of a person for a step, with its window in
-- working days. Objections may point at a notice instead of a display row;
-- exactly one of the two is set. internal/display (notice.go) and
-- internal/pipeline (rule notice_completed) hold the rules.
CREATE TABLE notices (
    id                bigserial PRIMARY KEY,
    candidate_id      bigint NOT NULL REFERENCES candidates (id),
    step              text NOT NULL CHECK (step IN ('target', 'admission')),
    opens_on          date NOT NULL,
    closes_on         date NOT NULL CHECK (closes_on >= opens_on),
    objection_days    int NOT NULL CHECK (objection_days BETWEEN 1 AND 30),
    published_by      bigint REFERENCES users (id),
    published_by_name text NOT NULL,
    published_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_candidate ON notices (candidate_id, step, id DESC);

ALTER TABLE objections ALTER COLUMN display_id DROP NOT NULL;
ALTER TABLE objections ADD COLUMN notice_id bigint REFERENCES notices (id);
ALTER TABLE objections ADD CONSTRAINT objections_one_subject CHECK ((display_id IS NULL) <> (notice_id IS NULL));
CREATE INDEX objections_notice ON objections (notice_id) WHERE notice_id IS NOT NULL;

-- A published notice is frozen, as a published display is.
CREATE TRIGGER notices_append_only BEFORE UPDATE OR DELETE ON notices FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER notices_no_truncate BEFORE TRUNCATE ON notices FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        GRANT SELECT, INSERT ON notices TO seedling_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON notices FROM seedling_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE objections DROP CONSTRAINT objections_one_subject;
ALTER TABLE objections DROP COLUMN notice_id;
ALTER TABLE objections ALTER COLUMN display_id SET NOT NULL;
DROP TABLE notices;
