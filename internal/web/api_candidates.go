package web

import (
	"strings"
	"time"
	"unicode/utf8"

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
	return c.JSON(fiber.Map{"candidates": out})
}

// candidateFilter reads org_id and stage from the query; a node outside the
// scope is reported as not found.
func (s *Server) candidateFilter(c *fiber.Ctx) (postgres.CandidateFilter, error) {
	f := postgres.CandidateFilter{Roots: s.roots(c, authz.Candidate, authz.Read)}
	if p := currentSession(c).Principal; p.CandidateID != nil {
		f.IDs = []int64{*p.CandidateID}
	}
	if v := c.Query("stage"); v != "" {
		if !seedling.Stage(v).Valid() {
			return f, seedling.FieldError("stage", "unknown stage")
		}
		f.Stage = seedling.Stage(v)
	}
	if v := c.Query("org_id"); v != "" {
		id, ok := parseID(v)
		if !ok {
			return f, seedling.FieldError("org_id", "org_id must be a positive integer")
		}
		org, err := s.db.Orgs().ByID(c.UserContext(), id)
		if err != nil {
			return f, err
		}
		if !anyContains(f.Roots, org.Path) && !s.ownRecordUnder(c, org.Path) {
			return f, seedling.Errorf(seedling.ENotFound, "not found")
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
		return seedling.FieldError("org_id", "org_id is required")
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
	return c.Status(fiber.StatusCreated).JSON(candidateDetail(cand))
}

func (r createCandidateRequest) validate(org seedling.Org, now time.Time) (postgres.NewCandidate, error) {
	p := seedling.NewProblems(seedling.EInvalid)
	n := postgres.NewCandidate{OrgID: org.ID, Name: strings.TrimSpace(r.Name), Gender: r.Gender, Occupation: strings.TrimSpace(r.Occupation),
		ReservePool: r.ReservePool, FrontLine: r.FrontLine}
	switch {
	case n.Name == "":
		p.Add("name", "name is required")
	case utf8.RuneCountInString(n.Name) > 50:
		p.Add("name", "name is longer than 50 characters")
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
	if r.Gender != "" && r.Gender != "male" && r.Gender != "female" {
		p.Add("gender", "gender is male or female")
	}
	if utf8.RuneCountInString(n.Occupation) > 100 {
		p.Add("occupation", "occupation is longer than 100 characters")
	}
	if r.PriorityGroup != nil && *r.PriorityGroup != "" {
		g := seedling.PriorityGroup(*r.PriorityGroup)
		if !g.Valid() {
			p.Add("priority_group", "unknown priority group")
		}
		n.PriorityGroup = &g
	}
	return n, p.Err()
}

// apiCandidate shows one candidate to those whose scope reaches them.
func (s *Server) apiCandidate(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Candidate, authz.Read)
	if err != nil {
		return err
	}
	out := candidateDetail(cand)
	sc, _, err := s.scoredOne(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	out.Score, out.Eligibility = scoreOut(sc.Score, false), eligibilityOut(sc.Eligibility)
	rs, _ := s.rules()
	if out.FailedReviews, err = s.db.Pipeline().FailedReviews(c.UserContext(), cand.ID, rs); err != nil {
		return err
	}
	out.MaxFailedReviews, out.Strikes = rs.MaxFailedReviews, rs.StrikesLabel(out.FailedReviews)
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
	a, err := s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, obj, act)
	return cand, a, err
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

func candidateDetail(k seedling.Candidate) candidateJSON {
	out := candidateJSON{ID: k.ID, Name: k.Name, Stage: string(k.Stage), OrgID: k.OrgID, OrgName: k.OrgName, Gender: k.Gender,
		BirthDate: formatDate(k.BirthDate), Occupation: k.Occupation, ReservePool: k.ReservePool, FrontLine: k.FrontLine,
		AppliedOn: formatDate(k.AppliedOn), StageSince: formatDate(k.StageSince)}
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
