package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// rules returns the rule set in force today and today's civil date.
func (s *Server) rules() (*pipeline.RuleSet, time.Time) {
	today := seedling.Today(s.db.Now())
	return s.registry.InForce(today), today
}

// pipelineSubject gathers what the rules need to know about a candidate
// today, the score included.
func (s *Server) pipelineSubject(ctx context.Context, cand seedling.Candidate) (pipeline.Subject, error) {
	return s.db.Pipeline().Subject(ctx, cand.ID, seedling.Today(s.db.Now()))
}

// apiNextSteps tells the branch what the next step asks for and what blocks
// it now; the form on the candidate's page is built from the same answer.
func (s *Server) apiNextSteps(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Candidate, authz.Read)
	if err != nil {
		return err
	}
	subj, err := s.pipelineSubject(c.UserContext(), cand)
	if err != nil {
		return err
	}
	rs, today := s.rules()
	return c.JSON(fiber.Map{"steps": wordSteps(s.localizer(c), rs.NextSteps(subj, today)), "rules_version": rs.Version,
		"failed_reviews": rs.Strikes(subj.Returned), "max_failed_reviews": rs.MaxFailedReviews})
}

type submissionRequest struct {
	ToStage seedling.Stage `json:"to_stage"`
	Kind    string         `json:"kind"`
	Facts   map[string]any `json:"facts"`
}

// apiSubmit proposes a step for the committee's review. Every broken rule is
// listed in the 422, not only the first.
func (s *Server) apiSubmit(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Submission, authz.Create)
	if err != nil {
		return err
	}
	var req submissionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sub, err := s.submit(c.UserContext(), a, cand, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sub)
}

// submit checks a proposal under the rules in force on the date of the act
// (the step's effective date, e.g. decided_on), with the score as of that
// date, and records it with that version; approval re-uses the version.
// Without a readable date the rules in force today report what is wrong.
func (s *Server) submit(ctx context.Context, a seedling.Actor, cand seedling.Candidate, req submissionRequest) (postgres.Submission, error) {
	if !req.ToStage.Valid() {
		return postgres.Submission{}, seedling.FieldError("to_stage", "unknown stage")
	}
	if req.Facts == nil {
		req.Facts = map[string]any{}
	}
	rs, today := s.rules()
	on := today
	if step, ok := rs.Find(cand.Stage, req.ToStage, req.Kind); ok {
		if d, ok := req.Facts[step.EffectiveFact].(string); ok {
			if t, err := seedling.ParseDate(d); err == nil && !t.After(today) {
				if then := s.registry.InForce(t); then != nil {
					rs, on = then, t
				}
			}
		}
	}
	subj, err := s.db.Pipeline().Subject(ctx, cand.ID, on)
	if err != nil {
		return postgres.Submission{}, err
	}
	prop, err := rs.Check(subj, req.ToStage, req.Kind, req.Facts, today)
	if err != nil {
		return postgres.Submission{}, err
	}
	return s.db.Pipeline().Submit(ctx, a, cand, prop)
}

// apiSubmissions is the review queue: submissions in the caller's scope.
func (s *Server) apiSubmissions(c *fiber.Ctx) error {
	f := postgres.SubmissionFilter{Roots: s.roots(c, authz.Submission, authz.Read), State: c.Query("state")}
	if f.State != "" && f.State != "pending" && f.State != "approved" && f.State != "returned" {
		return seedling.FieldError("state", "state is pending, approved or returned")
	}
	id, err := queryID(c, "candidate_id")
	if err != nil {
		return err
	}
	f.CandidateID = id
	if f.Page, err = queryPage(c); err != nil {
		return err
	}
	list, err := s.db.Pipeline().Submissions(c.UserContext(), f)
	if err != nil {
		return err
	}
	for i := range list {
		if !s.mayReadConclusions(c, list[i].OrgPath, list[i].CandidateID) {
			postgres.SealConclusion(&list[i])
		}
	}
	return c.JSON(fiber.Map{"submissions": list, "next": nextOf(f.Page)})
}

// loadSubmission fetches the submission named in the path and checks the
// action against its candidate's node before anything else happens.
func (s *Server) loadSubmission(c *fiber.Ctx, act string) (postgres.Submission, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return postgres.Submission{}, seedling.Actor{}, err
	}
	sub, err := s.db.Pipeline().SubmissionByID(c.UserContext(), id)
	if err != nil {
		return postgres.Submission{}, seedling.Actor{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: sub.OrgPath, CandidateID: sub.CandidateID}, authz.Submission, act)
	return sub, a, err
}

type decisionRequest struct {
	Decision string `json:"decision"`
	Reasons  string `json:"reasons"`
	// Facts are the committee's own facts of an approval where the step
	// asks for them (an admission: its talk and its vote).
	Facts map[string]any `json:"facts"`
}

// apiDecide approves or returns a submission. The decider must not be the
// one who submitted it or recorded the candidate's points.
func (s *Server) apiDecide(c *fiber.Ctx) error {
	sub, a, err := s.loadSubmission(c, authz.Decide)
	if err != nil {
		return err
	}
	var req decisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := req.validate(seedling.Today(s.db.Now()))
	if err != nil {
		return err
	}
	out, err := s.db.Pipeline().Decide(c.UserContext(), a, sub.ID, d, s.registry)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (r decisionRequest) validate(today time.Time) (postgres.Decision, error) {
	approve, reasons, err := pipeline.CheckDecision(r.Decision, r.Reasons)
	return postgres.Decision{Approve: approve, Reasons: reasons, On: today, Facts: r.Facts}, err
}

type politicalReviewRequest struct {
	Passed     *bool  `json:"passed"`
	Conclusion string `json:"conclusion"`
	ReviewedOn string `json:"reviewed_on"`
}

// apiPoliticalReview records the committee's political review (政治审查).
// A failed one ends the candidacy at once.
func (s *Server) apiPoliticalReview(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.PoliticalReview, authz.Write)
	if err != nil {
		return err
	}
	var req politicalReviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	review, conclusion, err := pipeline.ReadPoliticalReview(req.Passed, req.Conclusion, req.ReviewedOn, seedling.Today(s.db.Now()))
	if err != nil {
		return err
	}
	rs, _ := s.rules()
	if err := s.db.Pipeline().PoliticalReview(c.UserContext(), a, cand.ID, review.Passed, conclusion, review.On, rs); err != nil {
		return err
	}
	updated, err := s.db.Candidates().ByID(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"candidate_id": cand.ID, "passed": *req.Passed, "stage": updated.Stage})
}

type branchRecordRequest struct {
	Kind       string `json:"kind"`
	On         string `json:"on"`
	By         string `json:"by"`
	Conclusion string `json:"conclusion"`
}

// apiRecord records what the branch or the committee records between
// steps: a half-year assessment (每半年考察), the branch committee's review
// (支委会审查), the oath (入党宣誓) — the branch, with the permission it
// submits steps with — or the pre-review (预审) — the committee, with the
// permission it decides with.
func (s *Server) apiRecord(c *fiber.Ctx) error {
	var req branchRecordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	act := authz.Create
	if pipeline.RecordedByCommittee(req.Kind) {
		act = authz.Decide
	}
	cand, a, err := s.loadCandidate(c, authz.Submission, act)
	if err != nil {
		return err
	}
	on, err := seedling.ParseDate(req.On)
	if err != nil {
		return seedling.FieldProblem(seedling.EInvalid, "on", "problem.date_format", "on must be a date YYYY-MM-DD")
	}
	r := pipeline.BranchRecord{Kind: req.Kind, On: on, By: req.By, Conclusion: req.Conclusion}
	id, err := s.db.Pipeline().Record(c.UserContext(), a, cand.ID, r, seedling.Today(s.db.Now()))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": id, "candidate_id": cand.ID, "kind": req.Kind, "on": req.On})
}

// apiFilings is a committee's filing queue (备案).
func (s *Server) apiFilings(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Submission, authz.Read); err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	list, err := s.db.Pipeline().Filings(c.UserContext(), s.roots(c, authz.Submission, authz.Read), page)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"filings": list, "next": nextOf(page)})
}

type quotaRequest struct {
	Year   int   `json:"year"`
	OrgID  int64 `json:"org_id"`
	Amount int   `json:"amount"`
}

// apiSetQuota sets a yearly development quota: the organisation department
// for a committee, a committee for one of its branches.
func (s *Server) apiSetQuota(c *fiber.Ctx) error {
	var req quotaRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	org, err := s.orgInScope(c, req.OrgID, "org_id")
	if err != nil {
		return err
	}
	share, err := pipeline.QuotaShare(org.Kind)
	if err != nil {
		return err
	}
	act := authz.Write
	if share {
		act = authz.Split
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Quota, act)
	if err != nil {
		return err
	}
	if err := s.db.Pipeline().SetQuota(c.UserContext(), a, req.Year, org, req.Amount); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiQuotas lists a year's quotas in scope with how many places are used.
func (s *Server) apiQuotas(c *fiber.Ctx) error {
	year, err := queryInt(c, "year", int64(seedling.Today(s.db.Now()).Year()), seedling.MinYear, seedling.MaxYear)
	if err != nil {
		return err
	}
	list, err := s.db.Pipeline().Quotas(c.UserContext(), s.readableRoots(c), int(year))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"quotas": list})
}

// apiAcknowledgeFiling lets the committee a filing went to take note of it.
func (s *Server) apiAcknowledgeFiling(c *fiber.Ctx) error {
	if err := s.acknowledgeFiling(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// acknowledgeFiling checks the filing's committee against the caller's
// scope first, then records the acknowledgement.
func (s *Server) acknowledgeFiling(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, path, err := s.db.Pipeline().FilingByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: path}, authz.Submission, authz.Decide)
	if err != nil {
		return err
	}
	return s.db.Pipeline().Acknowledge(c.UserContext(), a, id)
}
