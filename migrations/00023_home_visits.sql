-- +goose Up
-- The start page says what changed since the person's last visit, so it
-- keeps two marks per account (seedling.Visit): home_seen_at, the latest look
-- at the start page, and home_since, what "since last visit" means in the
-- current sitting (a reload within a sitting keeps it, so the counts do not
-- vanish on refresh). Nullable columns without a default rewrite no row.
ALTER TABLE users ADD COLUMN home_seen_at timestamptz, ADD COLUMN home_since timestamptz;

-- +goose Down
ALTER TABLE users DROP COLUMN home_seen_at, DROP COLUMN home_since;
