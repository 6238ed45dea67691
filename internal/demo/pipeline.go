package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/seeds"
)

// archiveUser is the account that history imported from paper records is
// written under: the real people who submitted and approved those steps are
// not users of the system. It can never log in.
const archiveUser = "archive"

// loadPipeline gives the demo candidates a review history: the approved
// steps their stage and dates imply, plus the returns, political reviews,
// waiting submissions and quotas of seeds/pipeline.json. A candidate that
// already has any history is left alone, so loading twice changes nothing.
func loadPipeline(ctx context.Context, db *postgres.DB, d *seeds.Dataset, p *seeds.Pipeline) error {
	today := seedling.Today(db.Now())
	var users [][]any
	archive, err := db.Users().ByUsername(ctx, archiveUser)
	switch {
	case err == nil:
	case seedling.ErrorCode(err) == seedling.ENotFound:
		if archive.ID, err = db.ReserveIDs(ctx, "users", 1); err != nil {
			return err
		}
		var pw [24]byte
		rand.Read(pw[:])
		hash, err := seedling.HashPassword(hex.EncodeToString(pw[:]))
		if err != nil {
			return err
		}
		users = append(users, []any{archive.ID, archiveUser, "历史档案导入", hash, true})
	default:
		return err
	}
	fresh, err := freshCandidates(ctx, db, d)
	if err != nil {
		return err
	}
	h := &history{db: db, ctx: ctx, by: archive.ID, orgs: map[int64]seedling.Org{}}
	for _, c := range fresh {
		h.cand = c
		if c.ActivistSince != nil {
			h.approve("applicant", "activist", *c.ActivistSince)
		}
		switch c.Stage {
		case seedling.StageTarget:
			h.approve("activist", "target", c.StageSince)
		case seedling.StageProbationary:
			h.approve("activist", "target", c.StageSince.AddDate(0, -4, 0))
			h.approve("target", "probationary", c.StageSince)
		case seedling.StageFull:
			probation := c.StageSince.AddDate(-1, 0, 0)
			h.approve("activist", "target", probation.AddDate(0, -4, 0))
			h.approve("target", "probationary", probation)
			h.approve("probationary", "full", c.StageSince)
		case seedling.StageWithdrawn:
			from := "applicant"
			if c.ActivistSince != nil {
				from = "activist"
			}
			h.change(from, "withdrawn", c.StageSince, c.StageSince, -1, "本人申请撤回")
		}
	}
	byCode := map[string]subject{}
	for _, c := range fresh {
		byCode[c.Code] = c
	}
	for _, r := range p.Returns {
		if c, ok := byCode[r.Candidate]; ok {
			h.cand = c
			week := mustDate(r.On).AddDate(0, 0, -7)
			h.submission(r.From, r.To, pipeline.KindAdvance, week, week, "returned", mustDate(r.On), r.Reasons, nil)
		}
	}
	cancelled := map[string]bool{}
	for _, x := range p.Cancellations {
		if c, ok := byCode[x.Candidate]; ok {
			h.cand = c
			if err := h.cancelProbation(x); err != nil {
				return fmt.Errorf("demo cancellation of %s: %w", x.Candidate, err)
			}
			cancelled[x.Candidate] = true
		}
	}
	failed := map[string]bool{}
	for _, r := range p.PoliticalReviews {
		if c, ok := byCode[r.Candidate]; ok {
			h.reviews = append(h.reviews, []any{c.ID, r.Passed, r.Conclusion, date(mustDate(r.On)), archive.ID})
			failed[r.Candidate] = failed[r.Candidate] || !r.Passed
		}
	}
	// Disqualifications follow the failed reviews recorded above; a
	// cancelled probation is its candidate's one disqualification already.
	for _, c := range fresh {
		if c.Stage != seedling.StageDisqualified || cancelled[c.Code] {
			continue
		}
		from, reason := "applicant", "审核未通过 3 次，取消入党资格"
		if c.ActivistSince != nil {
			from = "activist"
		}
		if failed[c.Code] {
			reason = "政治审查不合格，取消入党资格"
		}
		h.changes = append(h.changes, []any{c.ID, from, "disqualified", date(c.StageSince), nil, reason, archive.ID, db.Now()})
	}
	for _, s := range p.Pending {
		if c, ok := byCode[s.Candidate]; ok {
			h.cand = c
			on := mustDate(s.SubmittedOn)
			h.submission(string(c.Stage), s.To, pipeline.KindAdvance, on, on, "pending", time.Time{}, "", s.Facts)
		}
	}
	records := branchRecords(fresh, today, archive.ID)
	if h.err != nil {
		return h.err
	}
	var quotas [][]any
	for _, q := range p.Quotas {
		org, err := db.Orgs().ByCode(ctx, q.Org)
		if err != nil {
			return fmt.Errorf("quota of %s: %w", q.Org, err)
		}
		quotas = append(quotas, []any{q.Year, org.ID, q.Amount})
	}
	var first int64
	if n := int64(len(h.subs)); n > 0 {
		if first, err = db.ReserveIDs(ctx, "submissions", n); err != nil {
			return err
		}
	}
	// Submissions were numbered from 0 as they were planned; a stage change
	// or a filing names its submission by that number until now.
	withID := func(rows [][]any, col int) [][]any {
		for _, r := range rows {
			if n, ok := r[col].(int64); ok {
				r[col] = first + n
			}
		}
		return rows
	}
	_, err = db.CopyHistory(ctx, nil, []postgres.HistoryTable{
		{Name: "users", Columns: []string{"id", "username", "display_name", "password_hash", "disabled"}, Rows: rows(users)},
		{Name: "submissions", Columns: []string{"id", "candidate_id", "from_stage", "to_stage", "kind", "facts", "rules_version", "effective_on",
			"state", "submitted_by", "submitted_at", "decided_by", "decided_at", "decided_on", "reasons"}, Rows: rows(withID(h.subs, 0))},
		{Name: "stage_changes", Columns: []string{"candidate_id", "from_stage", "to_stage", "effective_on", "submission_id", "reason", "recorded_by", "recorded_at"},
			Rows: rows(withID(h.changes, 4))},
		{Name: "filings", Columns: []string{"candidate_id", "submission_id", "kind", "committee_id", "filed_at", "acknowledged_at", "acknowledged_by"},
			Rows: rows(withID(h.filings, 1))},
		{Name: "political_reviews", Columns: []string{"candidate_id", "passed", "conclusion", "reviewed_on", "recorded_by"}, Rows: rows(h.reviews)},
		{Name: "branch_records", Columns: []string{"candidate_id", "kind", "on_date", "by_name", "conclusion", "recorded_by"}, Rows: rows(records)},
		{Name: "quotas", Columns: []string{"year", "org_id", "amount"}, Rows: rows(quotas), SkipExisting: true},
	})
	return err
}

// rows hands planned rows to the loading door.
func rows(rs [][]any) func(put func(values ...any) error) error {
	return func(put func(values ...any) error) error {
		for _, r := range rs {
			if err := put(r...); err != nil {
				return err
			}
		}
		return nil
	}
}

// freshCandidates are the dataset's candidates that have no review history
// yet, in id order.
func freshCandidates(ctx context.Context, db *postgres.DB, d *seeds.Dataset) ([]subject, error) {
	historic := []string{postgres.TimelineSubmitted, postgres.TimelineSubmittedLate, postgres.TimelineApproved, postgres.TimelineReturned, postgres.TimelineStage}
	var out []subject
	for _, dc := range d.Candidates {
		c, err := db.Candidates().ByCode(ctx, dc.Code)
		if err != nil {
			return nil, fmt.Errorf("candidate %s: %w", dc.Code, err)
		}
		events, err := db.Pipeline().Timeline(ctx, c.ID, false)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(events, func(e postgres.TimelineEvent) bool { return slices.Contains(historic, e.Kind) }) {
			out = append(out, subject{Candidate: c, Code: dc.Code})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// branchRecords are the branch's own records of the fresh candidates, up
// to today. Half-year assessments (每半年考察) of the activists in their
// second year and of the probationary members, every six months since the
// stage began; those in their first year have none yet, so the due list
// shows them overdue. Development targets named two months ago or more
// have been reviewed by the branch committee and pre-reviewed by the
// committee (细则 第十八条、第十九条), ready for the application form.
// Probationary members took the oath a week after admission.
func branchRecords(fresh []subject, today time.Time, by int64) [][]any {
	var out [][]any
	for _, c := range fresh {
		if c.Stage == seedling.StageProbationary || (c.Stage == seedling.StageActivist && !c.StageSince.After(addMonths(today, -12))) {
			for d := addMonths(c.StageSince, 6); !d.After(today); d = addMonths(d, 6) {
				out = append(out, []any{c.ID, "assessment", date(d), "培养联系人", "半年考察：思想端正，按时参加组织生活，完成培养任务", by})
			}
		}
	}
	for _, c := range fresh {
		if c.Stage == seedling.StageTarget && !c.StageSince.AddDate(0, 0, 60).After(today) {
			out = append(out,
				[]any{c.ID, "branch_review", date(c.StageSince.AddDate(0, 0, 30)), "支部委员会", "审查合格，同意报党委预审", by},
				[]any{c.ID, "prereview", date(c.StageSince.AddDate(0, 0, 45)), "党委组织委员", "预审合格，同意发放入党志愿书", by})
		}
	}
	for _, c := range fresh {
		if c.Stage == seedling.StageProbationary && !c.StageSince.AddDate(0, 0, 7).After(today) {
			out = append(out, []any{c.ID, "oath", date(c.StageSince.AddDate(0, 0, 7)), "支部书记", "在党旗下进行入党宣誓", by})
		}
	}
	return out
}

// addMonths adds months as PostgreSQL adds an interval of months to a
// date: a day past the end of the month becomes its last day (31 August
// plus six months is 28 February), where Go's AddDate would run on into
// March.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// history plans the fresh candidates' past steps; the first error sticks.
// Submissions are numbered from 0 in the order planned.
type history struct {
	db   *postgres.DB
	ctx  context.Context
	by   int64
	cand subject
	orgs map[int64]seedling.Org
	err  error

	subs, changes, filings, reviews [][]any
}

// approve plans a step submitted a week before it took effect and approved
// on the day, with its stage change and, where due, its filing.
func (h *history) approve(from, to string, on time.Time) {
	sub := h.submission(from, to, pipeline.KindAdvance, on.AddDate(0, 0, -7), on.AddDate(0, 0, -7), "approved", on, "", nil)
	h.change(from, to, on, on, sub, "")
	if to == "activist" || to == "target" {
		committee, ok := h.committee()
		if ok {
			h.filings = append(h.filings, []any{h.cand.ID, sub, to, committee, on, on, h.by})
		}
	}
}

// committee is the id of the nearest committee above the candidate's node.
func (h *history) committee() (int64, bool) {
	id := &h.cand.OrgID
	for id != nil && h.err == nil {
		org, ok := h.orgs[*id]
		if !ok {
			if org, h.err = h.db.Orgs().ByID(h.ctx, *id); h.err != nil {
				return 0, false
			}
			h.orgs[*id] = org
		}
		if org.Kind == seedling.KindCommittee {
			return org.ID, true
		}
		id = org.ParentID
	}
	return 0, false
}

// cancelProbation plans a probation cancelled by the reviewed step
// (取消预备党员资格, 细则 第三十二条): the admission it ends, then the
// branch's proposal with its meeting's facts and the committee's approval,
// taking effect on the meeting's date as an approval does (applyApproval).
// The candidate's stage must already say so; the tree load set the
// probation's start (probationSince).
func (h *history) cancelProbation(c seeds.Cancellation) error {
	meeting := mustDate(c.Facts["meeting_on"].(string)) // seeds.DemoPipeline checked it
	if h.cand.Stage != seedling.StageDisqualified || !h.cand.StageSince.Equal(meeting) {
		return fmt.Errorf("stage %s since %s, want disqualified since the meeting on %s", h.cand.Stage, date(h.cand.StageSince), date(meeting))
	}
	admitted := mustDate(c.AdmittedOn)
	h.approve("activist", "target", admitted.AddDate(0, -4, 0))
	h.approve("target", "probationary", admitted)
	decided := mustDate(c.DecidedOn)
	sub := h.submission("probationary", "disqualified", pipeline.KindCancel, meeting, mustDate(c.SubmittedOn), "approved", decided, "", c.Facts)
	reason, _ := c.Facts["reason"].(string)
	h.change("probationary", "disqualified", meeting, decided, sub, reason)
	return nil
}

// change plans a stage change effective on, recorded at (the decision
// that made it), made by submission number sub (-1: none).
func (h *history) change(from, to string, on, at time.Time, sub int64, reason string) {
	var s any
	if sub >= 0 {
		s = sub
	}
	h.changes = append(h.changes, []any{h.cand.ID, from, to, date(on), s, reason, h.by, at})
}

// submission plans a submission of a kind (pipeline.KindAdvance, …) taking
// effect on effective, and returns its number.
func (h *history) submission(from, to, kind string, effective, submitted time.Time, state string, decided time.Time, reasons string, facts map[string]any) int64 {
	if facts == nil {
		facts = map[string]any{"imported": "历史档案"}
	}
	b, _ := json.Marshal(facts)
	var decidedBy, decidedAt, decidedOn any
	// History is "imported"; a waiting submission carries the shipped rule
	// set in force on its date, which its decision re-runs.
	version := "imported"
	if state != "pending" {
		decidedBy, decidedAt, decidedOn = h.by, decided, date(decided)
	} else if rs := pipeline.DefaultRegistry().InForce(submitted); rs != nil {
		version = rs.Version
	}
	n := int64(len(h.subs))
	h.subs = append(h.subs, []any{n, h.cand.ID, from, to, kind, string(b), version, date(effective),
		state, h.by, submitted, decidedBy, decidedAt, decidedOn, reasons})
	return n
}

func mustDate(s string) time.Time {
	d, err := seedling.ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("seeds/pipeline.json: bad date %q", s)) // seeds.DemoPipeline checked every date
	}
	return d
}

func date(t time.Time) string { return t.Format(seedling.DateLayout) }
