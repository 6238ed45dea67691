-- +goose Up
-- A database filled by `seedling gen` carries one row here per run. The
-- generator refuses a database holding people or accounts without such a row
-- (real data), and `seedling bench` refuses a database without one: a
-- benchmark writes thousands of entries, and must never do so into
-- production.
CREATE TABLE synthetic_runs (
    id         bigserial PRIMARY KEY,
    seed       bigint NOT NULL,
    params     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE synthetic_runs;
