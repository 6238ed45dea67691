-- +goose Up
-- The scores (standings, rosters, display snapshots) sum a candidate's
-- scoring rows by quarter and category. Everything they read is in this
-- index, so on an append-only table (all-visible after a vacuum) the sums
-- are an index-only scan per candidate instead of heap fetches.
CREATE INDEX ledger_entries_scores ON ledger_entries (candidate_id)
    INCLUDE (occurred_on, period, category, points) WHERE kind <> 'evidence';

-- +goose Down
DROP INDEX ledger_entries_scores;
