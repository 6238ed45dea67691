package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// candidateSummary is one line of a candidate list.
type candidateSummary struct {
	ID    int64          `json:"id"`
	Name  string         `json:"name"`
	Stage seedling.Stage `json:"stage"`
	OrgID int64          `json:"org_id"`
	// Score is the total out of 100; Eligible says whether the 80-point
	// door to development target is open (see the ledger).
	Score    int  `json:"score"`
	Eligible bool `json:"eligible"`
}

// apiCandidates lists the candidates in the caller's scope, optionally under
// one node and at one stage. A candidate sees only themselves.
func (s *Server) apiCandidates(c *fiber.Ctx) error {
	f, err := s.candidateFilter(c)
	if err != nil {
		return err
	}
	list, err := s.db.Candidates().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	scores, err := s.scoresOf(c.UserContext(), list)
	if err != nil {
		return err
	}
	out := make([]candidateSummary, len(list))
	for i, k := range list {
		sc := scores[k.ID]
		out[i] = candidateSummary{ID: k.ID, Name: k.Name, Stage: k.Stage, OrgID: k.OrgID, Score: sc.Score.Total, Eligible: sc.Eligibility.Eligible}
	}
	return c.JSON(fiber.Map{"candidates": out, "next": nextOf(f.Page)})
}

// candidateFilter reads org_id and stage from the query; a node outside the
// scope is reported as not found.
func (s *Server) candidateFilter(c *fiber.Ctx) (postgres.CandidateFilter, error) {
	f := postgres.CandidateFilter{Roots: s.roots(c, authz.Candidate, authz.Read)}
	var err error
	if f.Page, err = queryPage(c); err != nil {
		return f, err
	}
	if p := currentSession(c).Principal; p.CandidateID != nil {
		f.IDs = []int64{*p.CandidateID}
	}
	if v := c.Query("stage"); v != "" {
		if !seedling.Stage(v).Valid() {
			return f, seedling.FieldProblem(seedling.EInvalid, "stage", "problem.stage_unknown", "unknown stage")
		}
		f.Stage = seedling.Stage(v)
	}
	if id, err := queryID(c, "org_id"); err != nil {
		return f, err
	} else if id != 0 {
		org, err := s.db.Orgs().ByID(c.UserContext(), id)
		if err != nil {
			return f, err
		}
		if !anyContains(f.Roots, org.Path) && !s.ownRecordUnder(c, org.Path) {
			return f, seedling.NotFound()
		}
		f.Under = org.Path
	}
	return f, nil
}

type createCandidateRequest struct {
	Name          string  `json:"name"`
	OrgID         int64   `json:"org_id"`
	AppliedOn     string  `json:"applied_on"`
	Gender        string  `json:"gender"`
	BirthDate     string  `json:"birth_date"`
	IDNumber      string  `json:"id_number"`
	Occupation    string  `json:"occupation"`
	PriorityGroup *string `json:"priority_group"`
	ReservePool   bool    `json:"reserve_pool"`
	FrontLine     bool    `json:"front_line"`
}

// apiCreateCandidate records a new applicant in a branch the caller keeps.
func (s *Server) apiCreateCandidate(c *fiber.Ctx) error {
	var req createCandidateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.OrgID <= 0 {
		return seedling.FieldProblem(seedling.EInvalid, "org_id", "problem.org_required", "org_id is required")
	}
	org, err := s.orgInScope(c, req.OrgID, "org_id")
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Candidate, authz.Write)
	if err != nil {
		return err
	}
	n, err := req.validate(org, s.db.Now())
	if err != nil {
		return err
	}
	cand, err := s.db.Candidates().Create(c.UserContext(), a, n)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.candidateDetail(c, cand))
}

func (r createCandidateRequest) validate(org seedling.Org, now time.Time) (postgres.NewCandidate, error) {
	p := seedling.NewProblems(seedling.EInvalid)
	n := postgres.NewCandidate{OrgID: org.ID, Gender: r.Gender, ReservePool: r.ReservePool, FrontLine: r.FrontLine}
	var err error
	if n.Name, err = seedling.Name("name", r.Name, 50); err != nil {
		p.Add("name", seedling.ErrorMessage(err))
	} else if n.Name == "" {
		p.Add("name", "name is required")
	}
	if n.Occupation, err = seedling.Name("occupation", r.Occupation, 100); err != nil {
		p.Add("occupation", seedling.ErrorMessage(err))
	}
	if org.Kind != seedling.KindBranch && org.Kind != seedling.KindGroup {
		p.Add("org_id", "a candidate belongs to a branch or a party group")
	}
	today := seedling.Today(now)
	if d, err := seedling.ParseDate(r.AppliedOn); err != nil {
		p.Add("applied_on", "applied_on must be a date YYYY-MM-DD")
	} else if d.After(today) {
		p.Add("applied_on", "applied_on is in the future")
	} else {
		n.AppliedOn = d
	}
	if r.BirthDate != "" {
		if d, err := seedling.ParseDate(r.BirthDate); err != nil || d.After(today) {
			p.Add("birth_date", "birth_date must be a past date YYYY-MM-DD")
		} else {
			n.BirthDate = &d
		}
	}
	birthFrom := "birth_date"
	if r.IDNumber != "" {
		if n.IDNumber, err = seedling.ParseIDNumber("id_number", r.IDNumber); err != nil {
			p.Add("id_number", seedling.ErrorMessage(err))
		} else if b := n.IDNumber.BirthDate(); n.BirthDate == nil && r.BirthDate == "" {
			n.BirthDate, birthFrom = &b, "id_number"
		} else if n.BirthDate != nil && !n.BirthDate.Equal(b) {
			p.Add("birth_date", "birth_date differs from the birth date in id_number")
		}
	}
	if r.Gender != "" && r.Gender != "male" && r.Gender != "female" {
		p.Add("gender", "gender is male or female")
	}
	if r.PriorityGroup != nil && *r.PriorityGroup != "" {
		g := seedling.PriorityGroup(*r.PriorityGroup)
		if !g.Valid() {
			p.Add("priority_group", "unknown priority group")
		}
		n.PriorityGroup = &g
	}
	if err := p.Err(); err != nil {
		return n, err
	}
	if n.BirthDate != nil {
		return n, seedling.CheckApplicantAge(birthFrom, *n.BirthDate, n.AppliedOn)
	}
	return n, nil
}

// apiCandidate shows one candidate to those whose scope reaches them. The
// row, the ledger's sums and the strikes come in one statement; rubric and
// rules are in memory.
func (s *Server) apiCandidate(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	rd, err := s.db.Candidates().Read(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.authorizeCandidate(c, rd.Candidate, authz.Candidate, authz.Read); err != nil {
		return err
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return err
	}
	rs, today := s.rules()
	sc := postgres.Assess([]postgres.Standing{rd.Standing(rubrics)}, rubrics, today, rs.Door())[0]
	out := s.candidateDetail(c, rd.Candidate)
	out.Score, out.Eligibility = scoreOut(sc.Score, false), eligibilityOut(s.localizer(c), sc.Eligibility)
	out.FailedReviews = rs.Strikes(rd.Returned)
	out.MaxFailedReviews, out.Strikes = rs.MaxFailedReviews, translateProblem(s.localizer(c), rs.StrikesUsed(out.FailedReviews))
	return c.JSON(out)
}

// loadCandidate fetches the candidate named in the path and checks the
// action against their node before anything else happens.
func (s *Server) loadCandidate(c *fiber.Ctx, obj, act string) (seedling.Candidate, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return seedling.Candidate{}, seedling.Actor{}, err
	}
	cand, err := s.db.Candidates().ByID(c.UserContext(), id)
	if err != nil {
		return seedling.Candidate{}, seedling.Actor{}, err
	}
	a, err := s.authorizeCandidate(c, cand, obj, act)
	return cand, a, err
}

// authorizeCandidate checks an action on a candidate against their node.
func (s *Server) authorizeCandidate(c *fiber.Ctx, cand seedling.Candidate, obj, act string) (seedling.Actor, error) {
	return s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, obj, act)
}

// candidateJSON is the API view of one candidate.
type candidateJSON struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Stage         string  `json:"stage"`
	OrgID         int64   `json:"org_id"`
	OrgName       string  `json:"org_name"`
	Gender        string  `json:"gender,omitempty"`
	BirthDate     string  `json:"birth_date,omitempty"`
	IDNumber      string  `json:"id_number,omitempty"`
	Occupation    string  `json:"occupation,omitempty"`
	PriorityGroup *string `json:"priority_group"`
	ReservePool   bool    `json:"reserve_pool"`
	FrontLine     bool    `json:"front_line"`
	AppliedOn     string  `json:"applied_on"`
	ActivistSince *string `json:"activist_since"`
	StageSince    string  `json:"stage_since"`
	// Score and Eligibility are summed from the ledger on every read.
	Score       *scoreJSON       `json:"score,omitempty"`
	Eligibility *eligibilityJSON `json:"eligibility,omitempty"`
	// FailedReviews counts returned submissions and failed political reviews
	// over the whole process; the limit ends the candidacy.
	FailedReviews    int    `json:"failed_reviews"`
	MaxFailedReviews int    `json:"max_failed_reviews"`
	Strikes          string `json:"strikes,omitempty"`
}

func (s *Server) candidateDetail(c *fiber.Ctx, k seedling.Candidate) candidateJSON {
	out := candidateJSON{ID: k.ID, Name: k.Name, Stage: string(k.Stage), OrgID: k.OrgID, OrgName: k.OrgName, Gender: k.Gender,
		BirthDate: formatDate(k.BirthDate), IDNumber: s.shownIDNumber(c, k), Occupation: k.Occupation, ReservePool: k.ReservePool,
		FrontLine: k.FrontLine, AppliedOn: formatDate(k.AppliedOn), StageSince: formatDate(k.StageSince)}
	if k.PriorityGroup != nil {
		g := string(*k.PriorityGroup)
		out.PriorityGroup = &g
	}
	if k.ActivistSince != nil {
		d := formatDate(k.ActivistSince)
		out.ActivistSince = &d
	}
	return out
}

// shownIDNumber is the candidate's identity number as the caller may see it:
// whole for the organisation department over the candidate's node, masked
// (4104**********0027) for everyone else, the candidate included.
func (s *Server) shownIDNumber(c *fiber.Ctx, k seedling.Candidate) string {
	if k.IDNumber == "" {
		return ""
	}
	if anyContains(s.roots(c, authz.IdentityNumber, authz.Read), k.OrgPath) {
		return string(k.IDNumber)
	}
	return k.IDNumber.Masked()
}

// ownRecordUnder reports whether the caller is a candidate whose own record
// lies under path: a candidate may filter by their own branch, no other.
func (s *Server) ownRecordUnder(c *fiber.Ctx, path string) bool {
	p := currentSession(c).Principal
	if p.CandidateID == nil {
		return false
	}
	own, err := s.db.Candidates().ByID(c.UserContext(), *p.CandidateID)
	return err == nil && seedling.PathContains(path, own.OrgPath)
}

// anyContains reports whether path lies under one of roots.
func anyContains(roots []string, path string) bool {
	for _, r := range roots {
		if seedling.PathContains(r, path) {
			return true
		}
	}
	return false
}
