package postgres

import (
	"context"

	"github.com/lib/pq"
)

// Stats are a committee's figures over its subtree.
type Stats struct {
	Total    int            `json:"total"`
	ByStage  map[string]int `json:"by_stage"`
	ByGroup  []GroupCount   `json:"by_priority_group"`
	ByBranch []NodeCount    `json:"by_branch"`
	Reserve  int            `json:"reserve_pool"`
	Front    int            `json:"front_line"`
	Reviews  ReviewCounts   `json:"reviews"`
	AvgDays  []StageDays    `json:"average_days_in_stage"`
}

// GroupCount counts the people of one priority group ("" for none).
type GroupCount struct {
	Group   string         `json:"group"`
	Total   int            `json:"total"`
	ByStage map[string]int `json:"by_stage"`
}

// NodeCount counts the people of one node where candidates sit.
type NodeCount struct {
	OrgID   int64          `json:"org_id"`
	Name    string         `json:"name"`
	Total   int            `json:"total"`
	ByStage map[string]int `json:"by_stage"`
}

// ReviewCounts is how the committee's reviews went; PassRate is approved
// over decided, 0 when nothing was decided.
type ReviewCounts struct {
	Pending  int     `json:"pending"`
	Approved int     `json:"approved"`
	Returned int     `json:"returned"`
	PassRate float64 `json:"pass_rate"`
}

// StageDays is the average time spent in a stage by those who left it.
type StageDays struct {
	Stage   string  `json:"stage" db:"stage"`
	Days    float64 `json:"days" db:"days"`
	Samples int     `json:"samples" db:"samples"`
}

// Stats computes the figures of the subtrees at roots.
func (p *PipelineStore) Stats(ctx context.Context, roots []string) (Stats, error) {
	out := Stats{ByStage: map[string]int{}}
	var rows []struct {
		OrgID   int64  `db:"org_id"`
		OrgName string `db:"org_name"`
		Stage   string `db:"stage"`
		Group   string `db:"grp"`
		Reserve int    `db:"reserve"`
		Front   int    `db:"front"`
		N       int    `db:"n"`
	}
	err := p.db.SelectContext(ctx, &rows, `
		SELECT o.id AS org_id, o.name AS org_name, c.stage, coalesce(c.priority_group, '') AS grp,
		       count(*) FILTER (WHERE c.reserve_pool) AS reserve, count(*) FILTER (WHERE c.front_line) AS front, count(*) AS n
		FROM candidates c JOIN orgs o ON o.id = c.org_id
		WHERE `+inSubtrees("o.path", 1)+`
		GROUP BY o.id, o.name, o.path, c.stage, grp
		ORDER BY o.path`, pq.Array(roots))
	if err != nil {
		return out, translate(err)
	}
	groups, branches := map[string]int{}, map[int64]int{}
	for _, r := range rows {
		out.Total += r.N
		out.ByStage[r.Stage] += r.N
		out.Reserve += r.Reserve
		out.Front += r.Front
		gi, ok := groups[r.Group]
		if !ok {
			gi = len(out.ByGroup)
			groups[r.Group] = gi
			out.ByGroup = append(out.ByGroup, GroupCount{Group: r.Group, ByStage: map[string]int{}})
		}
		out.ByGroup[gi].Total += r.N
		out.ByGroup[gi].ByStage[r.Stage] += r.N
		bi, ok := branches[r.OrgID]
		if !ok {
			bi = len(out.ByBranch)
			branches[r.OrgID] = bi
			out.ByBranch = append(out.ByBranch, NodeCount{OrgID: r.OrgID, Name: r.OrgName, ByStage: map[string]int{}})
		}
		out.ByBranch[bi].Total += r.N
		out.ByBranch[bi].ByStage[r.Stage] += r.N
	}
	var states []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	err = p.db.SelectContext(ctx, &states, `
		SELECT s.state, count(*) AS n FROM submissions s JOIN candidates c ON c.id = s.candidate_id JOIN orgs o ON o.id = c.org_id
		WHERE `+inSubtrees("o.path", 1)+`
		GROUP BY s.state`, pq.Array(roots))
	if err != nil {
		return out, translate(err)
	}
	for _, s := range states {
		switch s.State {
		case "pending":
			out.Reviews.Pending = s.N
		case "approved":
			out.Reviews.Approved = s.N
		case "returned":
			out.Reviews.Returned = s.N
		}
	}
	if d := out.Reviews.Approved + out.Reviews.Returned; d > 0 {
		out.Reviews.PassRate = float64(out.Reviews.Approved) / float64(d)
	}
	// Time in a stage ends at the change that left it; it began at the
	// change before, or at the application for applicants.
	err = p.db.SelectContext(ctx, &out.AvgDays, `
		WITH spans AS (
			SELECT sc.from_stage AS stage,
			       sc.effective_on - coalesce(lag(sc.effective_on) OVER (PARTITION BY sc.candidate_id ORDER BY sc.effective_on, sc.id), c.applied_on) AS days
			FROM stage_changes sc JOIN candidates c ON c.id = sc.candidate_id JOIN orgs o ON o.id = c.org_id
			WHERE `+inSubtrees("o.path", 1)+`
		)
		SELECT stage, round(avg(days), 1)::float8 AS days, count(*) AS samples FROM spans
		WHERE stage NOT IN ('disqualified', 'withdrawn', 'full')
		GROUP BY stage ORDER BY array_position(ARRAY['applicant', 'activist', 'target', 'probationary'], stage)`, pq.Array(roots))
	if out.AvgDays == nil {
		out.AvgDays = []StageDays{}
	}
	return out, translate(err)
}
