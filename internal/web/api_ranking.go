package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// rankRow is one eligible activist in the ranking, marked with the groups
// the Ruzhou plan looks to first.
type rankRow struct {
	Rank          int     `json:"rank"`
	CandidateID   int64   `json:"candidate_id"`
	Name          string  `json:"name"`
	OrgName       string  `json:"org_name"`
	Score         int     `json:"score"`
	ActivistSince string  `json:"activist_since"`
	AppliedOn     string  `json:"applied_on"`
	PriorityGroup *string `json:"priority_group"`
	ReservePool   bool    `json:"reserve_pool"`
	FrontLine     bool    `json:"front_line"`
}

type ranking struct {
	Org      seedling.Org   `json:"org"`
	Rows     []rankRow      `json:"ranking"`
	Priority map[string]int `json:"priority_groups"`
	Reserve  int            `json:"reserve_pool"`
	TieRule  string         `json:"tie_rule"`
}

// tieRule repeats pipeline.Rank's documented order for people.
const tieRule = "分数高者在前；同分时培养时间长（确定为积极分子早）者在前；再同时申请入党早者在前；最后按档案编号"

// rank builds the ranking of the eligible activists under a node the
// caller may read (优中选优).
func (s *Server) rank(c *fiber.Ctx) (ranking, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return ranking{}, err
	}
	org, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		return ranking{}, err
	}
	if _, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Candidate, authz.Read); err != nil {
		return ranking{}, err
	}
	ctx := c.UserContext()
	rs, _ := s.rules()
	scored, err := s.db.Scores().Scored(ctx, postgres.StandingFilter{Under: org.Path, Stages: []seedling.Stage{seedling.StageActivist}}, rs.Door())
	if err != nil {
		return ranking{}, err
	}
	people, err := s.db.Candidates().List(ctx, postgres.CandidateFilter{Roots: []string{org.Path}, Stage: seedling.StageActivist})
	if err != nil {
		return ranking{}, err
	}
	byID := map[int64]seedling.Candidate{}
	for _, p := range people {
		byID[p.ID] = p
	}
	var eligible []pipeline.Ranked
	for _, sc := range scored {
		p, ok := byID[sc.ID]
		if !ok || !sc.Eligibility.Eligible || p.ActivistSince == nil {
			continue
		}
		eligible = append(eligible, pipeline.Ranked{ID: p.ID, Score: sc.Score.Total, ActivistSince: *p.ActivistSince, AppliedOn: p.AppliedOn})
	}
	out := ranking{Org: org, Rows: []rankRow{}, Priority: map[string]int{}, TieRule: tieRule}
	for i, r := range pipeline.Rank(eligible) {
		p := byID[r.ID]
		row := rankRow{Rank: i + 1, CandidateID: p.ID, Name: p.Name, OrgName: p.OrgName, Score: r.Score,
			ActivistSince: formatDate(r.ActivistSince), AppliedOn: formatDate(p.AppliedOn), ReservePool: p.ReservePool, FrontLine: p.FrontLine}
		if p.PriorityGroup != nil {
			g := string(*p.PriorityGroup)
			row.PriorityGroup = &g
			out.Priority[g]++
		}
		if p.ReservePool {
			out.Reserve++
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// apiRanking ranks the eligible activists under a node.
func (s *Server) apiRanking(c *fiber.Ctx) error {
	r, err := s.rank(c)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// rankingPage shows the same ranking to the branch and the committee.
func (s *Server) rankingPage(c *fiber.Ctx) error {
	r, err := s.rank(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "ranking", "ranking.title", r)
}
