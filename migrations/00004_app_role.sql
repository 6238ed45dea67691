-- +goose Up
-- The service runs as the role seedling_app (lib/pq sets it at connection
-- start), not as the owner that migrates. The role can read and write what the
-- application needs, and cannot UPDATE, DELETE or TRUNCATE the append-only
-- tables: history is protected by privileges as well as by triggers.
-- Where the migrating user may not create roles, a DBA creates seedling_app
-- beforehand and grants it to that user; this migration then only grants.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'seedling_app') THEN
        CREATE ROLE seedling_app NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, 'seedling_app', 'MEMBER') THEN
        EXECUTE format('GRANT seedling_app TO %I', current_user);
    END IF;
END $$;
-- +goose StatementEnd
GRANT USAGE ON SCHEMA public TO seedling_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO seedling_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO seedling_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO seedling_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO seedling_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM seedling_app;
REVOKE UPDATE, DELETE, TRUNCATE ON rubric_versions, rubric_dimensions, rubric_categories,
    ledger_entries, evidence_files, ledger_keepers FROM seedling_app;

-- +goose Down
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM seedling_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM seedling_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM seedling_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM seedling_app;
REVOKE USAGE ON SCHEMA public FROM seedling_app;
