-- +goose Up
-- 居民身份证号码 (GB 11643), optional. One person is one candidate in the
-- city at a time: the number is unique among candidates who have not
-- withdrawn, and a disqualified record keeps its number, so the person
-- cannot be entered again under it. The shape is checked here as well as in
-- the domain, so a bulk load cannot put in what the service would refuse.
ALTER TABLE candidates ADD COLUMN id_number text CHECK (id_number ~ '^[1-9][0-9]{16}[0-9X]$');
CREATE UNIQUE INDEX candidates_id_number_live ON candidates (id_number) WHERE stage <> 'withdrawn';

-- +goose Down
DROP INDEX candidates_id_number_live;
ALTER TABLE candidates DROP COLUMN id_number;
