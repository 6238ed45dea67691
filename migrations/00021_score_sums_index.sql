-- +goose Up
-- The scores sum a candidate's scoring rows by quarter and category. Keyed
-- on exactly that, the index hands the rows over already in group order:
-- the sums of a committee's 10,000 people are an index-only scan feeding a
-- streaming GROUP BY, with no sort and no hash table. It replaces 00018's
-- index, which held the same columns unordered.
CREATE INDEX ledger_entries_sums ON ledger_entries (candidate_id, period, category)
    INCLUDE (points, occurred_on) WHERE kind <> 'evidence';
DROP INDEX ledger_entries_scores;

-- +goose Down
CREATE INDEX ledger_entries_scores ON ledger_entries (candidate_id)
    INCLUDE (occurred_on, period, category, points) WHERE kind <> 'evidence';
DROP INDEX ledger_entries_sums;
