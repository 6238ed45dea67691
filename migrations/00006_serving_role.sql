-- +goose Up
-- The serving pool logs in as its own role (internal/postgres/role.go makes
-- it a member of seedling_app and nothing else), so history must be frozen in
-- the database for seedling_app, not only by the application's good manners.

-- refuse_change_when_set(column) freezes a row once the named column is no
-- longer NULL: a decided submission, an acknowledged filing. Tables added
-- later reuse it for their own "decided" column (e.g. a resolved objection).
-- +goose StatementBegin
CREATE FUNCTION refuse_change_when_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(OLD) ->> TG_ARGV[0] IS NOT NULL THEN
        RAISE EXCEPTION '% row % is final once % is set', TG_TABLE_NAME, OLD.id, TG_ARGV[0]
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER submissions_final_once_decided BEFORE UPDATE OR DELETE ON submissions
    FOR EACH ROW EXECUTE FUNCTION refuse_change_when_set('decided_by');
CREATE TRIGGER submissions_no_truncate BEFORE TRUNCATE ON submissions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER filings_final_once_acknowledged BEFORE UPDATE OR DELETE ON filings
    FOR EACH ROW EXECUTE FUNCTION refuse_change_when_set('acknowledged_by');
CREATE TRIGGER filings_no_truncate BEFORE TRUNCATE ON filings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- stage_changes and political_reviews refuse UPDATE and DELETE since 00005;
-- TRUNCATE skips row triggers, so it needs its own.
CREATE TRIGGER stage_changes_no_truncate BEFORE TRUNCATE ON stage_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER political_reviews_no_truncate BEFORE TRUNCATE ON political_reviews
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The serving role has no rights on goose's table (00004 granted it every
-- table in the schema): it learns the schema version for /readyz from this
-- function, which runs with the owner's rights and can only read a number.
REVOKE ALL ON goose_db_version FROM seedling_app;
-- +goose StatementBegin
CREATE FUNCTION schema_version() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
    SELECT coalesce(max(version_id), 0) FROM public.goose_db_version WHERE is_applied
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION schema_version() TO seedling_app;

-- The password of the login role, so that every instance serving this
-- database logs in with the same one (an instance starting must not lock out
-- one already running). Only the owner reads it.
CREATE TABLE serving_login (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    rolname  text NOT NULL,
    password text NOT NULL,
    set_at   timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON serving_login FROM PUBLIC, seedling_app;

-- +goose Down
DROP TABLE serving_login;
DROP FUNCTION schema_version();
GRANT SELECT, INSERT, UPDATE, DELETE ON goose_db_version TO seedling_app;
DROP TRIGGER political_reviews_no_truncate ON political_reviews;
DROP TRIGGER stage_changes_no_truncate ON stage_changes;
DROP TRIGGER filings_no_truncate ON filings;
DROP TRIGGER filings_final_once_acknowledged ON filings;
DROP TRIGGER submissions_no_truncate ON submissions;
DROP TRIGGER submissions_final_once_decided ON submissions;
DROP FUNCTION refuse_change_when_set();
