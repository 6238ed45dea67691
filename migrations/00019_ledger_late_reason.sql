-- +goose Up
-- A ledger entry recorded long after the day it claims is a late record
-- (补录) and says why (rule set parameter late_record_days). The reason is
-- part of the row's hash (ledger.Record.Canonical adds it only when it is
-- not empty, so every row written before this column verifies unchanged).
-- Adding a column with a constant default rewrites no row, so the
-- append-only trigger is not involved.
ALTER TABLE ledger_entries ADD COLUMN late_reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ledger_entries DROP COLUMN late_reason;
