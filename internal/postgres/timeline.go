package postgres

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/lib/pq"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// TimelineEvent is one line of a candidate's full record (全程纪实). Kind
// says what happened; the UI words it in the reader's language from Kind,
// the stages and Text (reasons, conclusions, descriptions as written).
type TimelineEvent struct {
	On        time.Time `json:"on" db:"on"` // the civil date the event concerns
	At        time.Time `json:"at" db:"at"` // when it was written down
	Kind      string    `json:"kind" db:"kind"`
	FromStage string    `json:"from_stage,omitempty" db:"from_stage"`
	ToStage   string    `json:"to_stage,omitempty" db:"to_stage"`
	Text      string    `json:"text,omitempty" db:"text"`
	Points    int       `json:"points,omitempty" db:"points"`
	Who       string    `json:"who" db:"who"`
	Ref       int64     `json:"ref,omitempty" db:"ref"` // the submission, change, filing, review or entry
	// LateReason is why a ledger entry is a late record (补录), kind ledger_late.
	LateReason string `json:"late_reason,omitempty" db:"late_reason"`
}

// Timeline kinds.
const (
	TimelineApplied         = "applied"
	TimelineSubmitted       = "submitted"
	TimelineSubmittedLate   = "submitted_late" // a late record (补录), with its reason as text
	TimelineApproved        = "approved"
	TimelineReturned        = "returned"
	TimelineStage           = "stage"
	TimelineFiled           = "filed"
	TimelinePoliticalReview = "political_review_passed"
	TimelinePoliticalFailed = "political_review_failed"
	TimelineLedger          = "ledger"
	TimelineLedgerLate      = "ledger_late" // an entry recorded as a late record (补录), with LateReason
	TimelineReversal        = "reversal"
	TimelineAssessment      = "assessment" // 每半年考察, with its conclusion as text
	TimelineOath            = "oath"       // 入党宣誓
	// A development target's review by the branch committee and the
	// committee's pre-review (细则 第十八条、第十九条), branch records too.
	TimelineBranchReview = "branch_review"
	TimelinePrereview    = "prereview"
)

// chinaDate is the SQL for the civil date in China (UTC+8, as seedling.Today)
// of a timestamptz column, whatever the session's time zone: CAST(x AS date)
// alone would follow the server's setting and put an evening filing on the
// wrong day.
func chinaDate(col string) string {
	return `CAST((` + col + ` AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS date)`
}

// Timeline gathers every fact, submission, decision, stage change, filing,
// political review and ledger entry of a candidate, in date order. A
// political review's conclusion is sealed: it leaves the database only when
// conclusions is set (the caller holds political_review:read over the
// candidate); otherwise the event says that the review happened and how it
// ended, with no text.
func (p *PipelineStore) Timeline(ctx context.Context, candidateID int64, conclusions bool) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := p.db.SelectContext(ctx, &out, `
		SELECT c.applied_on AS on, c.created_at AS at, 'applied' AS kind, '' AS from_stage, 'applicant' AS to_stage, '' AS text, 0 AS points, '' AS who, c.id AS ref, '' AS late_reason
		FROM candidates c WHERE c.id = $1
		UNION ALL
		SELECT s.effective_on, s.submitted_at, CASE WHEN s.facts ? 'late_reason' THEN 'submitted_late' ELSE 'submitted' END,
		       s.from_stage, s.to_stage, coalesce(s.facts->>'late_reason', ''), 0, u.display_name, s.id, ''
		FROM submissions s JOIN users u ON u.id = s.submitted_by WHERE s.candidate_id = $1
		UNION ALL
		SELECT s.decided_on, s.decided_at, s.state, s.from_stage, s.to_stage, s.reasons, 0, coalesce(u.display_name, ''), s.id, ''
		FROM submissions s LEFT JOIN users u ON u.id = s.decided_by WHERE s.candidate_id = $1 AND s.state <> 'pending'
		UNION ALL
		SELECT sc.effective_on, sc.recorded_at, 'stage', sc.from_stage, sc.to_stage, sc.reason, 0, coalesce(u.display_name, ''), sc.id, ''
		FROM stage_changes sc LEFT JOIN users u ON u.id = sc.recorded_by WHERE sc.candidate_id = $1
		UNION ALL
		SELECT `+chinaDate("f.filed_at")+`, f.filed_at, 'filed', '', f.kind, o.name, 0, '', f.id, ''
		FROM filings f JOIN orgs o ON o.id = f.committee_id WHERE f.candidate_id = $1
		UNION ALL
		SELECT r.reviewed_on, r.recorded_at, CASE WHEN r.passed THEN 'political_review_passed' ELSE 'political_review_failed' END,
		       '', '', CASE WHEN $2 THEN r.conclusion ELSE '' END, 0, u.display_name, r.id, ''
		FROM political_reviews r JOIN users u ON u.id = r.recorded_by WHERE r.candidate_id = $1
		UNION ALL
		SELECT b.on_date, b.recorded_at, b.kind, '', '', b.conclusion, 0, b.by_name, b.id, ''
		FROM branch_records b WHERE b.candidate_id = $1
		UNION ALL
		SELECT e.occurred_on, e.recorded_at,
		       CASE WHEN e.kind = 'reversal' THEN 'reversal' WHEN e.late_reason <> '' THEN 'ledger_late' ELSE 'ledger' END, '', '',
		       CASE e.kind WHEN 'reversal' THEN e.reason ELSE e.description END, e.points, e.recorded_by_name, e.id, e.late_reason
		FROM ledger_entries e WHERE e.candidate_id = $1 AND e.kind IN ('entry', 'reversal')`, candidateID, conclusions)
	if err != nil {
		return nil, translate(err)
	}
	for i := range out {
		out[i].On, out[i].At = out[i].On.UTC(), out[i].At.UTC()
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].On.Equal(out[j].On) {
			return out[i].On.Before(out[j].On)
		}
		return out[i].At.Before(out[j].At)
	})
	return out, nil
}

// DueRow is one candidate with what its deadlines need.
type DueRow struct {
	seedling.Candidate
	Subject      pipeline.Subject
	PendingSince *time.Time
}

// DueSubjects loads every live candidate under the roots with the facts the
// due list needs, in one query.
func (p *PipelineStore) DueSubjects(ctx context.Context, roots []string) ([]DueRow, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var rows []struct {
		candidateRow
		ProbationSince *time.Time `db:"probation_since"`
		Extended       int        `db:"probation_extended_months"`
		TalkedOn       *time.Time `db:"talked_on"`
		PendingSince   *time.Time `db:"pending_since"`
		Assessments    []byte     `db:"assessments"`
	}
	err := p.db.SelectContext(ctx, &rows, `
		SELECT c.id, c.org_id, o.name AS org_name, o.path AS org_path, c.name, c.gender, c.birth_date, c.occupation,
		       c.priority_group, c.reserve_pool, c.front_line, c.stage, c.applied_on, c.activist_since, c.stage_since,
		       NULL::bigint AS user_id, c.probation_since, c.probation_extended_months, c.talked_on, `+assessmentsSQL+` AS assessments,
		       (SELECT min(s.submitted_at) FROM submissions s WHERE s.candidate_id = c.id AND s.state = 'pending') AS pending_since
		FROM candidates c JOIN orgs o ON o.id = c.org_id
		WHERE `+inSubtrees("o.path", 1)+`
		  AND c.stage NOT IN ('full', 'disqualified', 'withdrawn')
		ORDER BY o.path, c.name`, pq.Array(roots))
	if err != nil {
		return nil, translate(err)
	}
	out := make([]DueRow, len(rows))
	for i, r := range rows {
		c := r.candidate()
		out[i] = DueRow{Candidate: c, PendingSince: r.PendingSince, Subject: pipeline.Subject{
			Stage: c.Stage, AppliedOn: c.AppliedOn, ActivistSince: c.ActivistSince, StageSince: c.StageSince,
			ProbationSince: r.ProbationSince, ProbationExtendedMonths: r.Extended, TalkedOn: r.TalkedOn}}
		if out[i].Subject.Assessments, err = decodeDates(r.Assessments); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DueEntry is one deadline with whose it is: a candidate's, or a node's
// (CandidateID 0) for its public display.
type DueEntry struct {
	pipeline.DueItem
	CandidateID int64
	Name        string
	OrgID       int64
	OrgName     string
}

// MarshalJSON flattens the deadline with its owner.
func (d DueEntry) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(d.DueItem)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["candidate_id"], m["name"], m["org_id"], m["org_name"] = d.CandidateID, d.Name, d.OrgID, d.OrgName
	return json.Marshal(m)
}

// Due lists the deadlines of the live candidates under roots under the rule
// set rs, earliest first: the due list of a branch or a committee, and of
// `seedling due`.
func (p *PipelineStore) Due(ctx context.Context, roots []string, rs *pipeline.RuleSet, today time.Time) ([]DueEntry, error) {
	rows, err := p.DueSubjects(ctx, roots)
	if err != nil {
		return nil, err
	}
	out := []DueEntry{}
	display, displayDue := rs.DisplayDue(today)
	branches := map[int64]bool{}
	for _, r := range rows {
		for _, d := range rs.Due(r.Subject, r.PendingSince, today) {
			out = append(out, DueEntry{DueItem: d, CandidateID: r.ID, Name: r.Name, OrgID: r.OrgID, OrgName: r.OrgName})
		}
		// Every node with people to display owes the period's display.
		if displayDue && !branches[r.OrgID] {
			branches[r.OrgID] = true
			out = append(out, DueEntry{DueItem: display, OrgID: r.OrgID, OrgName: r.OrgName})
		}
	}
	overdue, err := overdueObjections(ctx, p.db, roots, today)
	if err != nil {
		return nil, err
	}
	out = append(out, overdue...)
	late, err := lateDisplays(ctx, p.db, roots, today)
	if err != nil {
		return nil, err
	}
	out = append(out, late...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueOn.Before(out[j].DueOn) })
	return out, nil
}

// ConclusionFact is the submission fact that carries a political review's
// conclusion into the admission step; it is sealed like the review itself.
const ConclusionFact = "political_review_conclusion"

// SealConclusion drops the political review's conclusion from a
// submission's facts, for a reader who may not read it.
func SealConclusion(sub *Submission) {
	if _, ok := sub.Facts[ConclusionFact]; ok {
		facts := make(map[string]any, len(sub.Facts))
		for k, v := range sub.Facts {
			if k != ConclusionFact {
				facts[k] = v
			}
		}
		sub.Facts = facts
	}
}
