-- +goose Up
-- Usernames are one name whatever the case: "Admin" is "admin", at login,
-- at every lookup, and when a second account would take the name.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- The node of the administrator who opened an account: while the account
-- holds no grant, only administrators over that node manage it (NULL, the
-- command line: only those of a root). Otherwise any administrator could
-- set the password of a fresh account before the city grants it a role.
ALTER TABLE users ADD COLUMN home_org_id bigint REFERENCES orgs (id);

-- Failed logins name the account by id, never by the typed name: a name
-- that matches no account is often a password typed in the wrong field.
-- Unknown names leave user_id NULL and count only against the address.
-- Throttled attempts are kept (throttled) so the sweep can fold them into
-- the audit trail as one row per address per window; they do not prolong
-- the cool-off.
DELETE FROM login_failures;
DROP INDEX login_failures_recent;
ALTER TABLE login_failures DROP COLUMN username;
ALTER TABLE login_failures ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE login_failures ADD COLUMN throttled boolean NOT NULL DEFAULT false;
CREATE INDEX login_failures_user ON login_failures (user_id, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- +goose Down
DROP INDEX login_failures_ip;
DROP INDEX login_failures_user;
DELETE FROM login_failures;
ALTER TABLE login_failures DROP COLUMN throttled;
ALTER TABLE login_failures DROP COLUMN user_id;
ALTER TABLE login_failures ADD COLUMN username text NOT NULL;
CREATE INDEX login_failures_recent ON login_failures (username, at);
ALTER TABLE users DROP COLUMN home_org_id;
DROP INDEX users_username_lower;
