package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"seedling/internal/seedling"
)

// listWhere runs one entity's select with a WHERE clause, in id order, and
// converts each scanned row R to its domain value T; objections and notices
// are both read this way, inside or outside a transaction.
func listWhere[R, T any](ctx context.Context, q sqlx.QueryerContext, sel, where, order string, conv func(R) T, args ...any) ([]T, error) {
	var rows []R
	if err := sqlx.SelectContext(ctx, q, &rows, sel+` WHERE `+where+` ORDER BY `+order, args...); err != nil {
		return nil, translate(err)
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, nil
}

// oneWhere is listWhere for a clause that names one row: none is not found.
func oneWhere[R, T any](ctx context.Context, q sqlx.QueryerContext, sel, where, order string, conv func(R) T, args ...any) (T, error) {
	list, err := listWhere(ctx, q, sel, where, order, conv, args...)
	if err == nil && len(list) == 0 {
		err = seedling.NotFound()
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return list[0], nil
}
