-- +goose Up
-- Working-day overrides (internal/calendar): dates the organisation
-- department sets on top of the official holidays the library carries, for
-- a year the library does not know yet or a local change. Append-only: the
-- latest row of a day is in force (workday NULL puts the day back on the
-- official calendar); earlier rows are the history.
CREATE TABLE calendar_overrides (
    id       bigserial PRIMARY KEY,
    day      date NOT NULL CHECK (day BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
    workday  boolean,
    note     text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    set_by   bigint REFERENCES users (id),
    set_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendar_overrides_day ON calendar_overrides (day, id DESC);
CREATE TRIGGER calendar_overrides_append_only BEFORE UPDATE OR DELETE ON calendar_overrides
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER calendar_overrides_no_truncate BEFORE TRUNCATE ON calendar_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        GRANT SELECT, INSERT ON calendar_overrides TO seedling_app;
        REVOKE UPDATE, DELETE, TRUNCATE ON calendar_overrides FROM seedling_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE calendar_overrides;
