-- +goose Up
-- A candidate's page counts their strikes from their returned submissions
-- (postgres.returnedSQL), and the pipeline reads a candidate's submissions
-- in order; without this index each of those read every returned
-- submission of the province (3,000 of them at 20,000 candidates, 2 ms of a
-- 2.5 ms candidate read).
CREATE INDEX submissions_candidate ON submissions (candidate_id, id);

-- +goose Down
DROP INDEX submissions_candidate;
