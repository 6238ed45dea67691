-- +goose Up
-- A submission closed because the candidacy ended (取消入党资格 while it was
-- waiting) was never reviewed: it is marked so, and is not one more failed
-- review. Which returned submissions count as strikes is the rule set's
-- business (pipeline.RuleSet.Strikes); this column only records the fact.
ALTER TABLE submissions ADD COLUMN voided boolean NOT NULL DEFAULT false;
ALTER TABLE submissions ADD CONSTRAINT submissions_voided_returned CHECK (NOT voided OR state = 'returned');
-- What the committee itself records when it approves a step: for an
-- admission, its talk with the person and its own vote (细则 第二十三条、第二十四条).
ALTER TABLE submissions ADD COLUMN decision_facts jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE submissions DROP COLUMN decision_facts;
ALTER TABLE submissions DROP CONSTRAINT submissions_voided_returned;
ALTER TABLE submissions DROP COLUMN voided;
