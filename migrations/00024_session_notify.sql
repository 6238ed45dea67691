-- +goose Up
-- Every instance keeps the sessions it serves in memory (postgres/
-- session_cache.go), so it must hear of anything that ends a session or
-- changes what the session grants, whoever makes the change: the application
-- on another instance, a CLI command, an administrator in psql. These
-- triggers say so at commit on the channel seedling_session, with the user's
-- id as the payload, or '*' (forget every session) when more than a hundred
-- users changed in one statement, when a node is renamed or moved (every
-- grant carries its node's name and path) and on TRUNCATE.
--
-- Not announced: a new session (no instance holds it yet) and a session's
-- seen_at moving forward (the once-a-minute refresh), which only lengthens a
-- life; an instance re-reads a session before it lets it expire.

-- +goose StatementBegin
CREATE FUNCTION notify_session_users(users bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(users) > 100 THEN
        PERFORM pg_notify('seedling_session', '*');
    ELSE
        PERFORM pg_notify('seedling_session', u::text) FROM unnest(users) u;
    END IF;
END $$;
-- +goose StatementEnd

-- Statement-level, over the transition tables: a sweep deleting thousands
-- of sessions, or a restore copying every grant, makes one call and at
-- most a hundred notifications.
-- +goose StatementBegin
CREATE FUNCTION session_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('seedling_session', '*');
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM notify_session_users(ARRAY(SELECT DISTINCT user_id FROM changed_new));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM notify_session_users(ARRAY(SELECT DISTINCT user_id FROM changed_old));
    ELSE
        PERFORM notify_session_users(ARRAY(SELECT user_id FROM changed_old UNION SELECT user_id FROM changed_new));
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Row-level, behind a WHEN that filters in the executor: the updates that
-- change nothing a session holds (the seen_at refresh, the start page's
-- visit marks) call no function at all.
-- +goose StatementBegin
CREATE FUNCTION session_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('seedling_session', NEW.id::text);
    ELSIF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('seedling_session', OLD.user_id::text);
        PERFORM pg_notify('seedling_session', NEW.user_id::text);
    ELSE
        PERFORM pg_notify('seedling_session', '*');
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();
CREATE TRIGGER sessions_updated_notify AFTER UPDATE ON sessions FOR EACH ROW
    WHEN (NEW.seen_at < OLD.seen_at OR (NEW.token_hash, NEW.user_id, NEW.csrf, NEW.created_at)
          IS DISTINCT FROM (OLD.token_hash, OLD.user_id, OLD.csrf, OLD.created_at))
    EXECUTE FUNCTION session_row_changed();
CREATE TRIGGER sessions_truncated_notify AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();

CREATE TRIGGER users_updated_notify AFTER UPDATE ON users FOR EACH ROW
    WHEN ((NEW.username, NEW.display_name, NEW.password_hash, NEW.disabled, NEW.candidate_id)
          IS DISTINCT FROM (OLD.username, OLD.display_name, OLD.password_hash, OLD.disabled, OLD.candidate_id))
    EXECUTE FUNCTION session_row_changed();
CREATE TRIGGER users_truncated_notify AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();

CREATE TRIGGER grants_inserted_notify AFTER INSERT ON grants
    REFERENCING NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();
CREATE TRIGGER grants_updated_notify AFTER UPDATE ON grants
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();
CREATE TRIGGER grants_deleted_notify AFTER DELETE ON grants
    REFERENCING OLD TABLE AS changed_old FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();
CREATE TRIGGER grants_truncated_notify AFTER TRUNCATE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();

CREATE TRIGGER orgs_updated_notify AFTER UPDATE ON orgs FOR EACH ROW
    WHEN ((NEW.name, NEW.path) IS DISTINCT FROM (OLD.name, OLD.path))
    EXECUTE FUNCTION session_row_changed();
CREATE TRIGGER orgs_truncated_notify AFTER TRUNCATE ON orgs
    FOR EACH STATEMENT EXECUTE FUNCTION session_rows_changed();

-- +goose Down
DROP TRIGGER orgs_truncated_notify ON orgs;
DROP TRIGGER orgs_updated_notify ON orgs;
DROP TRIGGER grants_truncated_notify ON grants;
DROP TRIGGER grants_deleted_notify ON grants;
DROP TRIGGER grants_updated_notify ON grants;
DROP TRIGGER grants_inserted_notify ON grants;
DROP TRIGGER users_truncated_notify ON users;
DROP TRIGGER users_updated_notify ON users;
DROP TRIGGER sessions_truncated_notify ON sessions;
DROP TRIGGER sessions_updated_notify ON sessions;
DROP TRIGGER sessions_deleted_notify ON sessions;
DROP FUNCTION session_row_changed();
DROP FUNCTION session_rows_changed();
DROP FUNCTION notify_session_users(bigint[]);
