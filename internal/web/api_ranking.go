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
	// A province ranks a hundred thousand activists: they are scored a
	// batch at a time and only what a ranked row shows is kept.
	rs, _ := s.rules()
	var eligible []pipeline.Ranked
	byID := map[int64]postgres.Standing{}
	err = s.db.Scores().EachScored(c.UserContext(), postgres.StandingFilter{Under: org.Path, Stages: []seedling.Stage{seedling.StageActivist}}, rs.Door(),
		func(batch []postgres.Scored) error {
			for _, sc := range batch {
				if !sc.Eligibility.Eligible || sc.ActivistSince == nil {
					continue
				}
				eligible = append(eligible, pipeline.Ranked{ID: sc.ID, Score: sc.Score.Total, ActivistSince: *sc.ActivistSince, AppliedOn: sc.AppliedOn})
				p := sc.Standing
				p.Sums = nil
				byID[p.ID] = p
			}
			return nil
		})
	if err != nil {
		return ranking{}, err
	}
	out := ranking{Org: org, Rows: make([]rankRow, 0, len(eligible)), Priority: map[string]int{}, TieRule: tieRule}
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
