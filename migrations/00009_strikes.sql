-- +goose Up
-- A submission closed because the candidacy ended (取消入党资格 while it was
-- waiting) was never reviewed: it is marked so, and is not one more failed
-- review. Which returned submissions count as strikes is the rule set's
-- business (pipeline.RuleSet.Strikes); this column only records the fact.
ALTER TABLE submissions ADD COLUMN voided boolean NOT NULL DEFAULT false;
ALTER TABLE submissions ADD CONSTRAINT submissions_voided_returned CHECK (NOT voided OR state = 'returned');

-- +goose Down
ALTER TABLE submissions DROP CONSTRAINT submissions_voided_returned;
ALTER TABLE submissions DROP COLUMN voided;
