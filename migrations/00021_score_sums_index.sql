-- +goose Up
-- The scores sum a candidate's scoring rows by quarter and category. Keyed
-- on exactly that, the index hands the rows over already in group order:
-- the sums of a committee's 10,000 people are an index-only scan feeding a
-- streaming GROUP BY, with no sort and no hash table. It replaces 00018's
-- index, which held the same columns unordered.
CREATE INDEX ledger_entries_sums ON ledger_entries (candidate_id, period, category)
    INCLUDE (points, occurred_on) WHERE kind <> 'evidence';
DROP INDEX ledger_entries_scores;

-- A person's strikes are their returned submissions (returnedSQL). Without
-- this index each lookup read every returned submission of the province:
-- a committee's display snapshot spent 12 of its 15 seconds there on a
-- generated province of 10,000 people.
CREATE INDEX submissions_returned ON submissions (candidate_id, id)
    INCLUDE (kind, from_stage, voided) WHERE state = 'returned';

-- +goose Down
DROP INDEX submissions_returned;
CREATE INDEX ledger_entries_scores ON ledger_entries (candidate_id)
    INCLUDE (occurred_on, period, category, points) WHERE kind <> 'evidence';
DROP INDEX ledger_entries_sums;
