package postgres

import (
	"context"
	"time"

	"github.com/lib/pq"

	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// lateDisplays are the due-list items of the branches and party groups
// under roots whose display of a period owed on today (the last ended
// quarter, and its half-year when it closes one) is late. The store only
// loads who published what; display.DaysLate says what is late.
func lateDisplays(ctx context.Context, db *DB, roots []string, today time.Time) ([]DueEntry, error) {
	periods := display.LastEndedPeriods(today)
	names := make([]string, len(periods))
	for i, p := range periods {
		names[i] = p.String()
	}
	stages := make([]string, len(display.Stages))
	for i, s := range display.Stages {
		stages[i] = string(s)
	}
	// A branch's subtree is itself and its groups, and a group has none
	// (seedling.OrgKind.MayContain), so "people under the node" is the node
	// and its children: two index lookups rather than a prefix scan per node.
	var rows []struct {
		OrgID     int64  `db:"org_id"`
		OrgName   string `db:"org_name"`
		Kind      string `db:"kind"`
		Period    string `db:"period"`
		HasPeople bool   `db:"has_people"`
		Holds     bool   `db:"holds"`
		Published bool   `db:"published"`
	}
	err := db.SelectContext(ctx, &rows, `
		SELECT o.id AS org_id, o.name AS org_name, o.kind, p.period,
		       EXISTS (SELECT 1 FROM candidates c JOIN orgs co ON co.id = c.org_id
		               WHERE (co.id = o.id OR co.parent_id = o.id) AND c.stage = ANY($3)) AS has_people,
		       EXISTS (SELECT 1 FROM displays d WHERE d.org_id = o.id AND d.state = 'published' AND d.period <> p.period) AS holds,
		       EXISTS (SELECT 1 FROM displays d WHERE d.org_id = o.id AND d.state = 'published' AND d.period = p.period) AS published
		FROM orgs o CROSS JOIN unnest(CAST($2 AS text[])) AS p (period)
		WHERE o.kind IN ('branch', 'group') AND `+inSubtrees("o.path", 1)+`
		ORDER BY o.path, p.period`, pq.Array(roots), pq.Array(names), pq.Array(stages))
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	cal, err := loadCalendar(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []DueEntry
	for _, r := range rows {
		p, err := display.ParsePeriod(r.Period)
		if err != nil {
			return nil, err
		}
		o := display.Owing{Kind: seedling.OrgKind(r.Kind), HasPeople: r.HasPeople, HoldsDisplays: r.Holds, Published: r.Published}
		if dueBy, days, late := display.DaysLate(cal, p, o, today); late {
			out = append(out, DueEntry{DueItem: pipeline.DisplayLate(r.Period, dueBy, days), OrgID: r.OrgID, OrgName: r.OrgName})
		}
	}
	return out, nil
}
