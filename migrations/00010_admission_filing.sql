-- +goose Up
-- Admissions are filed (备案) with the committee above the one that approved
-- them, as namings of activists and targets are filed with the committee
-- above the branch (细则 第八条、第十三条、第二十四条).
ALTER TABLE filings DROP CONSTRAINT filings_kind_check;
ALTER TABLE filings ADD CONSTRAINT filings_kind_check CHECK (kind IN ('activist', 'target', 'probationary'));

-- +goose Down
DELETE FROM filings WHERE kind = 'probationary';
ALTER TABLE filings DROP CONSTRAINT filings_kind_check;
ALTER TABLE filings ADD CONSTRAINT filings_kind_check CHECK (kind IN ('activist', 'target'));
