package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// PipelineStore keeps submissions, decisions, political reviews, filings and
// quotas. The rules themselves live in internal/pipeline; this store applies
// their verdicts inside one transaction per action.
type PipelineStore struct{ db *DB }

// Pipeline returns the pipeline store.
func (db *DB) Pipeline() *PipelineStore { return &PipelineStore{db: db} }

// Submission is one proposed stage change and its fate.
type Submission struct {
	ID            int64          `json:"id" db:"id"`
	CandidateID   int64          `json:"candidate_id" db:"candidate_id"`
	CandidateName string         `json:"candidate_name" db:"candidate_name"`
	OrgID         int64          `json:"org_id" db:"org_id"`
	OrgName       string         `json:"org_name" db:"org_name"`
	OrgPath       string         `json:"-" db:"org_path"`
	FromStage     seedling.Stage `json:"from_stage" db:"from_stage"`
	ToStage       seedling.Stage `json:"to_stage" db:"to_stage"`
	Kind          string         `json:"kind" db:"kind"`
	Facts         map[string]any `json:"facts" db:"-"`
	FactsJSON     []byte         `json:"-" db:"facts"`
	RulesVersion  string         `json:"rules_version" db:"rules_version"`
	EffectiveOn   time.Time      `json:"-" db:"effective_on"`
	State         string         `json:"state" db:"state"`
	SubmittedBy   int64          `json:"-" db:"submitted_by"`
	SubmittedName string         `json:"submitted_by" db:"submitted_name"`
	SubmittedAt   time.Time      `json:"submitted_at" db:"submitted_at"`
	DecidedBy     *int64         `json:"-" db:"decided_by"`
	DecidedName   *string        `json:"decided_by" db:"decided_name"`
	DecidedAt     *time.Time     `json:"decided_at" db:"decided_at"`
	Reasons       string         `json:"reasons" db:"reasons"`
}

const submissionSelect = `
	SELECT s.id, s.candidate_id, c.name AS candidate_name, c.org_id, o.name AS org_name, o.path AS org_path,
	       s.from_stage, s.to_stage, s.kind, s.facts, s.rules_version, s.effective_on, s.state,
	       s.submitted_by, su.display_name AS submitted_name, s.submitted_at,
	       s.decided_by, du.display_name AS decided_name, s.decided_at, s.reasons
	FROM submissions s
	JOIN candidates c ON c.id = s.candidate_id
	JOIN orgs o ON o.id = c.org_id
	JOIN users su ON su.id = s.submitted_by
	LEFT JOIN users du ON du.id = s.decided_by`

func (s *Submission) decode() {
	s.SubmittedAt, s.EffectiveOn = s.SubmittedAt.UTC(), s.EffectiveOn.UTC()
	if s.DecidedAt != nil {
		t := s.DecidedAt.UTC()
		s.DecidedAt = &t
	}
	_ = json.Unmarshal(s.FactsJSON, &s.Facts)
}

// SubmissionByID returns one submission with its candidate's node.
func (p *PipelineStore) SubmissionByID(ctx context.Context, id int64) (Submission, error) {
	var sub Submission
	if err := p.db.GetContext(ctx, &sub, submissionSelect+` WHERE s.id = $1`, id); err != nil {
		return Submission{}, translate(err)
	}
	sub.decode()
	return sub, nil
}

// SubmissionFilter narrows the queue to the caller's scope.
type SubmissionFilter struct {
	Roots        []string
	State        string
	CandidateID  int64
	DecidedSince *time.Time // only those decided after this moment: a start page's news
	Page         *Page
}

// timeKey is the sort key of lists ordered by a moment and the id.
type timeKey struct {
	At time.Time `json:"t"`
	ID int64     `json:"i"`
}

// Submissions lists submissions in scope, oldest waiting first.
func (p *PipelineStore) Submissions(ctx context.Context, f SubmissionFilter) ([]Submission, error) {
	if len(f.Roots) == 0 {
		return []Submission{}, nil
	}
	where := []string{inSubtrees("o.path", 1), `($2 = '' OR s.state = $2)`, `($3 = 0 OR s.candidate_id = $3)`}
	args := []any{pq.Array(f.Roots), f.State, f.CandidateID}
	if f.DecidedSince != nil {
		args = append(args, *f.DecidedSince)
		where = append(where, `s.decided_at > $`+itoa(int64(len(args))))
	}
	limit := ""
	if f.Page != nil {
		var k timeKey
		ok, err := f.Page.key(&k)
		if err != nil {
			return nil, err
		}
		if ok {
			args = append(args, k.At, k.ID)
			where = append(where, `(s.submitted_at, s.id) > ($`+itoa(int64(len(args)-1))+`, $`+itoa(int64(len(args)))+`)`)
		}
		args = append(args, f.Page.limit()+1)
		limit = ` LIMIT $` + itoa(int64(len(args)))
	}
	var out []Submission
	err := p.db.SelectContext(ctx, &out, submissionSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY s.submitted_at, s.id`+limit, args...)
	if err != nil {
		return nil, translate(err)
	}
	out = cut(f.Page, out, func(s Submission) any { return timeKey{s.SubmittedAt, s.ID} })
	for i := range out {
		out[i].decode()
	}
	if out == nil {
		out = []Submission{}
	}
	return out, nil
}

// Subject gathers what the rules need to know about a candidate as of a
// date: the score as of that date (from the ledger), the failed reviews and
// the quotas of the nodes above for that date's year.
func (p *PipelineStore) Subject(ctx context.Context, candidateID int64, on time.Time) (pipeline.Subject, error) {
	tx, err := p.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return pipeline.Subject{}, translate(err)
	}
	defer tx.Rollback()
	return subject(ctx, tx, candidateID, on, false)
}

// subject reads the facts; with lock it also locks the quota rows, so that
// two approvals at once cannot both take the last place.
func subject(ctx context.Context, tx *sqlx.Tx, candidateID int64, on time.Time, lock bool) (pipeline.Subject, error) {
	var r struct {
		Stage          string     `db:"stage"`
		Path           string     `db:"path"`
		AppliedOn      time.Time  `db:"applied_on"`
		ActivistSince  *time.Time `db:"activist_since"`
		StageSince     time.Time  `db:"stage_since"`
		ProbationSince *time.Time `db:"probation_since"`
		Extended       int        `db:"probation_extended_months"`
		TalkedOn       *time.Time `db:"talked_on"`
		Returned       []byte     `db:"returned"`
		Assessments    []byte     `db:"assessments"`
		OathOn         *time.Time `db:"oath_on"`
		BranchReview   *time.Time `db:"branch_review_on"`
		Prereview      *time.Time `db:"prereview_on"`
	}
	err := tx.GetContext(ctx, &r, `
		SELECT c.stage, o.path, c.applied_on, c.activist_since, c.stage_since, c.probation_since, c.probation_extended_months, c.talked_on,
		       `+returnedSQL+` AS returned, `+assessmentsSQL+` AS assessments, `+oathSQL+` AS oath_on,
		       `+branchReviewSQL+` AS branch_review_on, `+prereviewSQL+` AS prereview_on
		FROM candidates c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1`, candidateID)
	if err != nil {
		return pipeline.Subject{}, translate(err)
	}
	returned, err := decodeReturned(r.Returned)
	if err != nil {
		return pipeline.Subject{}, err
	}
	assessments, err := decodeDates(r.Assessments)
	if err != nil {
		return pipeline.Subject{}, err
	}
	score, err := scoreAsOf(ctx, tx, candidateID, on)
	if err != nil {
		return pipeline.Subject{}, err
	}
	var reviews []struct {
		Passed bool      `db:"passed"`
		On     time.Time `db:"reviewed_on"`
	}
	if err := tx.SelectContext(ctx, &reviews, `SELECT passed, reviewed_on FROM political_reviews WHERE candidate_id = $1 ORDER BY reviewed_on DESC, id DESC LIMIT 1`, candidateID); err != nil {
		return pipeline.Subject{}, err
	}
	var review *pipeline.PoliticalReview
	if len(reviews) == 1 {
		review = &pipeline.PoliticalReview{Passed: reviews[0].Passed, On: reviews[0].On.UTC()}
	}
	quotas, err := quotasAbove(ctx, tx, r.Path, on.Year(), lock)
	if err != nil {
		return pipeline.Subject{}, err
	}
	notices, err := noticeStates(ctx, tx, candidateID)
	if err != nil {
		return pipeline.Subject{}, err
	}
	return pipeline.Subject{Stage: seedling.Stage(r.Stage), AppliedOn: r.AppliedOn, ActivistSince: r.ActivistSince, StageSince: r.StageSince,
		ProbationSince: r.ProbationSince, ProbationExtendedMonths: r.Extended, TalkedOn: r.TalkedOn, Score: score,
		Returned: returned, Assessments: assessments, OathOn: r.OathOn, BranchReviewOn: r.BranchReview, PrereviewOn: r.Prereview, PoliticalReview: review, Disqualified: r.Stage == string(seedling.StageDisqualified), Quotas: quotas, Notices: notices}, nil
}

// returnedSQL lists a candidate's returned submissions as JSON for
// pipeline.RuleSet.Strikes, which decides which of them are strikes.
const returnedSQL = `(SELECT coalesce(json_agg(json_build_object('kind', x.kind, 'from', x.from_stage, 'voided', x.voided) ORDER BY x.id), '[]')
	FROM submissions x WHERE x.candidate_id = c.id AND x.state = 'returned')`

func decodeReturned(raw []byte) ([]pipeline.Review, error) {
	var out []pipeline.Review
	return out, json.Unmarshal(raw, &out)
}

// FailedReviews returns the strikes of one candidate under a rule set.
func (p *PipelineStore) FailedReviews(ctx context.Context, candidateID int64, rs *pipeline.RuleSet) (int, error) {
	var raw []byte
	if err := p.db.GetContext(ctx, &raw, `SELECT `+returnedSQL+` FROM candidates c WHERE c.id = $1`, candidateID); err != nil {
		return 0, translate(err)
	}
	list, err := decodeReturned(raw)
	return rs.Strikes(list), err
}

// Submit records a checked proposal as pending (pipeline.RuleSet.Check has
// weighed it, quotas included).
func (p *PipelineStore) Submit(ctx context.Context, a seedling.Actor, cand seedling.Candidate, prop pipeline.Proposal) (Submission, error) {
	facts, err := json.Marshal(prop.FactsJSON())
	if err != nil {
		return Submission{}, err
	}
	var id int64
	err = p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var stage string
		if err := tx.GetContext(ctx, &stage, `SELECT stage FROM candidates WHERE id = $1 FOR UPDATE`, cand.ID); err != nil {
			return translate(err)
		}
		if stage != string(prop.From) {
			return seedling.Errorf(seedling.EConflict, "the candidate's stage changed meanwhile; reload and try again").
				Keyed("problem.stage_moved", "Stage", string(prop.From))
		}
		err := tx.GetContext(ctx, &id, `
			INSERT INTO submissions (candidate_id, from_stage, to_stage, kind, facts, rules_version, effective_on, submitted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			cand.ID, string(prop.From), string(prop.To), prop.Kind, facts, prop.RuleSet, prop.EffectiveOn, a.UserID)
		if err != nil {
			if seedling.ErrorCode(translate(err)) == seedling.EConflict {
				return seedling.Errorf(seedling.EConflict, "a submission for this candidate is already waiting for the committee").
					Keyed("problem.submission_pending")
			}
			return err
		}
		return audit(ctx, tx, a, "submission.create", "candidate:"+itoa(cand.ID), fmt.Sprintf("submission %d: %s → %s (%s)", id, prop.From, prop.To, prop.Kind))
	})
	if err != nil {
		return Submission{}, err
	}
	return p.SubmissionByID(ctx, id)
}

// Decision is the committee's answer to a submission.
type Decision struct {
	Approve bool
	Reasons string
	// Facts are the committee's own facts of an approval (its talk and
	// vote, pipeline.Step.DecisionFacts), as decoded from the request.
	Facts map[string]any
	On    time.Time // the decision's date, for the stage change of a return
}

// Decide approves or returns a pending submission. Exactly one decision wins
// when two arrive at once: the submission row is locked and must still be
// pending. An approval re-runs every rule of the step as of the decision
// (pipeline.RuleSet.Recheck) under the rule set the submission was checked
// with. A return counts as a failed review; the one that reaches the limit
// disqualifies, once, in the same transaction. The candidate row is locked
// first, as in every pipeline write, so these never deadlock.
func (p *PipelineStore) Decide(ctx context.Context, a seedling.Actor, id int64, d Decision, rules *pipeline.Registry) (Submission, error) {
	err := p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var candID int64
		if err := tx.GetContext(ctx, &candID, `SELECT candidate_id FROM submissions WHERE id = $1`, id); err != nil {
			return translate(err)
		}
		var path string
		if err := tx.GetContext(ctx, &path, `SELECT o.path FROM candidates c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1 FOR UPDATE OF c`, candID); err != nil {
			return translate(err)
		}
		var sub Submission
		if err := tx.GetContext(ctx, &sub, `SELECT id, candidate_id, from_stage, to_stage, kind, facts, rules_version, effective_on, state, submitted_by, submitted_at FROM submissions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return translate(err)
		}
		sub.decode()
		var recorders []int64
		if err := tx.SelectContext(ctx, &recorders, `SELECT DISTINCT recorded_by FROM ledger_entries WHERE candidate_id = $1 AND recorded_by IS NOT NULL`, candID); err != nil {
			return err
		}
		pending := sub.pending()
		if err := pipeline.CanDecide(pending, a, recorders); err != nil {
			return err
		}
		rs := rules.Version(sub.RulesVersion)
		if rs == nil {
			return seedling.Errorf(seedling.EInternal, "rule set %s of submission %d is not loaded", sub.RulesVersion, id)
		}
		state, decisionFacts := pipeline.StateReturned, []byte(`{}`)
		if d.Approve {
			state = pipeline.StateApproved
			subj, err := subject(ctx, tx, candID, sub.EffectiveOn, true)
			if err != nil {
				return err
			}
			df, err := rs.Recheck(subj, pending, d.Facts, d.On)
			if err != nil {
				return err
			}
			if decisionFacts, err = json.Marshal(pipeline.Proposal{Facts: df}.FactsJSON()); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE submissions SET state = $2, decided_by = $3, decided_at = now(), decided_on = $4, reasons = $5, decision_facts = $6 WHERE id = $1`,
			id, state, a.UserID, d.On, d.Reasons, decisionFacts); err != nil {
			return err
		}
		target := "submission:" + itoa(id)
		if d.Approve {
			if err := audit(ctx, tx, a, "submission.approve", target, fmt.Sprintf("%s → %s", sub.FromStage, sub.ToStage)); err != nil {
				return err
			}
			return applyApproval(ctx, tx, a, candID, path, sub)
		}
		if err := audit(ctx, tx, a, "submission.return", target, d.Reasons); err != nil {
			return err
		}
		return disqualifyIfStruckOut(ctx, tx, a, candID, d.On, rs)
	})
	if err != nil {
		return Submission{}, err
	}
	return p.SubmissionByID(ctx, id)
}

// pending is what pipeline.CanDecide and Recheck read of a submission.
func (s Submission) pending() pipeline.Pending {
	return pipeline.Pending{State: s.State, SubmittedBy: s.SubmittedBy, SubmittedOn: seedling.Today(s.SubmittedAt), RulesVersion: s.RulesVersion,
		From: s.FromStage, To: s.ToStage, Kind: s.Kind, Facts: s.Facts}
}

// applyApproval makes an approved step take effect: the stage, its dates,
// the history row and, for an activist or a target, the filing with the
// committee above the branch.
func applyApproval(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, candID int64, orgPath string, sub Submission) error {
	on := sub.EffectiveOn
	switch {
	case sub.Kind == pipeline.KindExtend:
		months := 0
		if n, ok := sub.Facts["extend_months"].(float64); ok { // JSON numbers decode as float64
			months = int(n)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE candidates SET probation_extended_months = $2 WHERE id = $1`, candID, months); err != nil {
			return err
		}
	default:
		if _, err := tx.ExecContext(ctx, `
			UPDATE candidates SET stage = $2, stage_since = $3,
			       activist_since = CASE WHEN $2 = 'activist' THEN $3 ELSE activist_since END,
			       probation_since = CASE WHEN $2 = 'probationary' THEN $3 ELSE probation_since END,
			       talked_on = CASE WHEN $2 = 'activist' THEN CAST($4 AS date) ELSE talked_on END
			WHERE id = $1`, candID, string(sub.ToStage), on, factDate(sub.Facts, "talked_on")); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO stage_changes (candidate_id, from_stage, to_stage, effective_on, submission_id, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, candID, string(sub.FromStage), string(sub.ToStage), on, sub.ID, a.UserID); err != nil {
		return err
	}
	if level, filed := pipeline.FiledWith(sub.ToStage); filed {
		// level 0: the nearest committee above the branch; 1: the one above
		// that, or the root of the tree (the organisation department) when
		// there is none.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO filings (candidate_id, submission_id, kind, committee_id)
			VALUES ($1, $2, $3, coalesce(
				(SELECT id FROM orgs WHERE kind = 'committee' AND $4 LIKE path || '%' ORDER BY length(path) DESC OFFSET $5 LIMIT 1),
				(SELECT id FROM orgs WHERE $4 LIKE path || '%' ORDER BY length(path) LIMIT 1)))`,
			candID, sub.ID, string(sub.ToStage), orgPath, level); err != nil {
			return translate(err)
		}
	}
	return nil
}

func factDate(f map[string]any, name string) *string {
	if s, ok := f[name].(string); ok && s != "" {
		return &s
	}
	return nil
}

// disqualifyIfStruckOut ends the candidacy when the failed reviews reach the
// limit. The unique index on disqualifications makes a race harmless.
func disqualifyIfStruckOut(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, candID int64, on time.Time, rs *pipeline.RuleSet) error {
	var raw []byte
	if err := tx.GetContext(ctx, &raw, `SELECT `+returnedSQL+` FROM candidates c WHERE c.id = $1`, candID); err != nil {
		return err
	}
	list, err := decodeReturned(raw)
	if err != nil {
		return err
	}
	failed := rs.Strikes(list)
	if failed == rs.Strikes(list[:len(list)-1]) {
		return nil // this return is no strike (a request answered, or not counted at this stage)
	}
	if _, disqualify := rs.AfterReturn(failed - 1); !disqualify {
		return nil
	}
	return disqualify(ctx, tx, a, candID, on, fmt.Sprintf("审核未通过 %d 次，取消入党资格", failed))
}

func disqualify(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, candID int64, on time.Time, reason string) error {
	var from string
	if err := tx.GetContext(ctx, &from, `SELECT stage FROM candidates WHERE id = $1`, candID); err != nil {
		return err
	}
	if from == string(seedling.StageDisqualified) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE candidates SET stage = 'disqualified', stage_since = $2 WHERE id = $1`, candID, on); err != nil {
		return err
	}
	// A pending submission dies with the candidacy.
	if _, err := tx.ExecContext(ctx, `
		UPDATE submissions SET state = 'returned', voided = true, decided_by = $2, decided_at = now(), decided_on = $3, reasons = '候选资格已取消'
		WHERE candidate_id = $1 AND state = 'pending'`, candID, a.UserID, on); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO stage_changes (candidate_id, from_stage, to_stage, effective_on, reason, recorded_by)
		VALUES ($1, $2, 'disqualified', $3, $4, $5)`, candID, from, on, reason, a.UserID); err != nil {
		return err
	}
	return audit(ctx, tx, a, "candidate.disqualify", "candidate:"+itoa(candID), reason)
}

// PoliticalReview records the committee's political review; a failed one
// disqualifies at once (政审不合格).
func (p *PipelineStore) PoliticalReview(ctx context.Context, a seedling.Actor, candID int64, passed bool, conclusion string, on time.Time, rs *pipeline.RuleSet) error {
	return p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var stage string
		if err := tx.GetContext(ctx, &stage, `SELECT stage FROM candidates WHERE id = $1 FOR UPDATE`, candID); err != nil {
			return translate(err)
		}
		if err := pipeline.CanRecordPoliticalReview(seedling.Stage(stage)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO political_reviews (candidate_id, passed, conclusion, reviewed_on, recorded_by) VALUES ($1, $2, $3, $4, $5)`,
			candID, passed, conclusion, on, a.UserID); err != nil {
			return translate(err)
		}
		result := "passed"
		if !passed {
			result = "failed"
		}
		if err := audit(ctx, tx, a, "political_review."+result, "candidate:"+itoa(candID), ""); err != nil { // the conclusion is sealed
			return err
		}
		if rs.AfterPoliticalReview(passed) {
			return disqualify(ctx, tx, a, candID, on, "政治审查不合格，取消入党资格")
		}
		return nil
	})
}

// quotasAbove loads the year's quotas of every node above (and at) a path
// with the places used, for the quota rule (pipeline.ruleQuotaLeft). With
// lock the quota rows are locked so two approvals at once cannot both take
// the last place.
func quotasAbove(ctx context.Context, tx *sqlx.Tx, orgPath string, year int, lock bool) ([]pipeline.Quota, error) {
	q := `
		SELECT q.year, q.org_id, o.name, q.amount, ` + quotaUsedSQL + ` AS used
		FROM quotas q JOIN orgs o ON o.id = q.org_id
		WHERE q.year = $1 AND $2 LIKE o.path || '%' ORDER BY length(o.path) DESC`
	if lock {
		q += ` FOR UPDATE OF q`
	}
	var rows []Quota
	if err := tx.SelectContext(ctx, &rows, q, year, orgPath); err != nil {
		return nil, err
	}
	out := make([]pipeline.Quota, len(rows))
	for i, r := range rows {
		out[i] = pipeline.Quota{OrgName: r.OrgName, Year: r.Year, Amount: r.Amount, Used: r.Used}
	}
	return out, nil
}

// quotaUsedSQL counts the places of quota q (at node o) already taken: the
// people named development targets under o in q's year.
const quotaUsedSQL = `(SELECT count(*) FROM stage_changes sc JOIN candidates c ON c.id = sc.candidate_id JOIN orgs co ON co.id = c.org_id
	WHERE sc.to_stage = 'target' AND extract(year FROM sc.effective_on) = q.year AND co.path LIKE o.path || '%')`

// Quota is one year's development quota at a node, with what is used.
type Quota struct {
	Year    int    `json:"year" db:"year"`
	OrgID   int64  `json:"org_id" db:"org_id"`
	OrgName string `json:"org_name" db:"name"`
	Amount  int    `json:"amount" db:"amount"`
	Used    int    `json:"used" db:"used"`
}

// SetQuota sets a node's quota for a year. A branch's share may not push the
// sum of its committee's branches past the committee's own quota.
func (p *PipelineStore) SetQuota(ctx context.Context, a seedling.Actor, year int, org seedling.Org, amount int) error {
	return p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		q := pipeline.QuotaChange{Year: year, Amount: amount, Kind: org.Kind}
		if share, _ := pipeline.QuotaShare(org.Kind); share {
			if err := loadQuotaShares(ctx, tx, &q, org); err != nil {
				return err
			}
		}
		if err := pipeline.CanSetQuota(q); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO quotas (year, org_id, amount, set_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (year, org_id) DO UPDATE SET amount = EXCLUDED.amount, set_by = EXCLUDED.set_by, set_at = now()`,
			year, org.ID, amount, a.UserID); err != nil {
			return err
		}
		return audit(ctx, tx, withOrg(a, org.ID), "quota.set", "org:"+itoa(org.ID), fmt.Sprintf("%d: %d", year, amount))
	})
}

// loadQuotaShares reads what a branch's share is checked against: the
// quota of the nearest committee above (locked, so that two shares set at
// once see each other) and its other branches' shares.
func loadQuotaShares(ctx context.Context, tx *sqlx.Tx, q *pipeline.QuotaChange, org seedling.Org) error {
	var parent struct {
		Amount int    `db:"amount"`
		Path   string `db:"path"`
	}
	err := tx.GetContext(ctx, &parent, `
		SELECT q.amount, o.path FROM quotas q JOIN orgs o ON o.id = q.org_id
		WHERE q.year = $1 AND o.kind = 'committee' AND $2 LIKE o.path || '%'
		ORDER BY length(o.path) DESC LIMIT 1 FOR UPDATE OF q`, q.Year, org.Path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	q.Committee = &parent.Amount
	return tx.GetContext(ctx, &q.Others, `
		SELECT coalesce(sum(q.amount), 0) FROM quotas q JOIN orgs o ON o.id = q.org_id
		WHERE q.year = $1 AND o.kind <> 'committee' AND o.path LIKE $2 || '%' AND q.org_id <> $3`, q.Year, parent.Path, org.ID)
}

// Quotas lists the quotas of a year in scope with their use.
func (p *PipelineStore) Quotas(ctx context.Context, roots []string, year int) ([]Quota, error) {
	var out []Quota
	err := p.db.SelectContext(ctx, &out, `
		SELECT q.year, q.org_id, o.name, q.amount, `+quotaUsedSQL+` AS used
		FROM quotas q JOIN orgs o ON o.id = q.org_id
		WHERE q.year = $1 AND `+inSubtrees("o.path", 2)+`
		ORDER BY o.path`, year, pq.Array(roots))
	if out == nil {
		out = []Quota{}
	}
	return out, translate(err)
}

// Filing is one 备案 record in a committee's queue.
type Filing struct {
	ID             int64      `json:"id" db:"id"`
	CandidateID    int64      `json:"candidate_id" db:"candidate_id"`
	CandidateName  string     `json:"candidate_name" db:"candidate_name"`
	Kind           string     `json:"kind" db:"kind"`
	CommitteeID    int64      `json:"committee_id" db:"committee_id"`
	SubmissionID   int64      `json:"submission_id" db:"submission_id"`
	FiledAt        time.Time  `json:"filed_at" db:"filed_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at" db:"acknowledged_at"`
}

// filingKey is the sort key of the filing queue.
type filingKey struct {
	Acked bool      `json:"a"`
	At    time.Time `json:"t"`
	ID    int64     `json:"i"`
}

// Filings lists the filings of the committees in scope, unacknowledged
// first, newest first within each; page reads one keyset page of it.
func (p *PipelineStore) Filings(ctx context.Context, roots []string, page *Page) ([]Filing, error) {
	where := []string{inSubtrees("o.path", 1)}
	args := []any{pq.Array(roots)}
	limit := ""
	if page != nil {
		var k filingKey
		ok, err := page.key(&k)
		if err != nil {
			return nil, err
		}
		if ok {
			args = append(args, k.Acked, k.At, k.ID)
			where = append(where, `((f.acknowledged_at IS NOT NULL) > $2 OR ((f.acknowledged_at IS NOT NULL) = $2 AND (f.filed_at, f.id) < ($3, $4)))`)
		}
		args = append(args, page.limit()+1)
		limit = ` LIMIT $` + itoa(int64(len(args)))
	}
	var out []Filing
	err := p.db.SelectContext(ctx, &out, `
		SELECT f.id, f.candidate_id, c.name AS candidate_name, f.kind, f.committee_id, f.submission_id, f.filed_at, f.acknowledged_at
		FROM filings f JOIN candidates c ON c.id = f.candidate_id JOIN orgs o ON o.id = f.committee_id
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY f.acknowledged_at IS NOT NULL, f.filed_at DESC, f.id DESC`+limit, args...)
	if err != nil {
		return nil, translate(err)
	}
	out = cut(page, out, func(f Filing) any { return filingKey{f.AcknowledgedAt != nil, f.FiledAt, f.ID} })
	if out == nil {
		out = []Filing{}
	}
	return out, nil
}

// FilingByID returns one filing with the path of the committee it was filed
// with, for the scope check.
func (p *PipelineStore) FilingByID(ctx context.Context, id int64) (Filing, string, error) {
	var row struct {
		Filing
		Path string `db:"path"`
	}
	err := p.db.GetContext(ctx, &row, `
		SELECT f.id, f.candidate_id, c.name AS candidate_name, f.kind, f.committee_id, f.submission_id, f.filed_at, f.acknowledged_at, o.path
		FROM filings f JOIN candidates c ON c.id = f.candidate_id JOIN orgs o ON o.id = f.committee_id
		WHERE f.id = $1`, id)
	if err != nil {
		return Filing{}, "", translate(err)
	}
	return row.Filing, row.Path, nil
}

// Acknowledge records that the committee has taken note of a filing (备案).
// A filing is acknowledged once; a second time is a conflict.
func (p *PipelineStore) Acknowledge(ctx context.Context, a seedling.Actor, id int64) error {
	return p.db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE filings SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_at IS NULL`, id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return seedling.Errorf(seedling.EConflict, "this filing was already acknowledged").Keyed("problem.filing_acknowledged")
		}
		return audit(ctx, tx, a, "filing.acknowledge", "filing:"+itoa(id), "")
	})
}
