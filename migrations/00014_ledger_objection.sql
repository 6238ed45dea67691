-- +goose Up
-- An upheld objection's correcting entry or reversal links to it. The link
-- is not part of the entry's hash (internal/ledger's canonical form is
-- unchanged); the objection's resolution and the audit row name it too.
ALTER TABLE ledger_entries ADD COLUMN objection_id bigint REFERENCES objections (id);
CREATE INDEX ledger_entries_objection ON ledger_entries (objection_id) WHERE objection_id IS NOT NULL;

-- +goose Down
ALTER TABLE ledger_entries DROP COLUMN objection_id;
