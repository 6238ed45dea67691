package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// tables lists what a run writes, parents before children. Displays and
// objections join this list once their tables exist: a display per branch
// and closed quarter snapshotted from the ledger rows written here (the
// heads and per-quarter sums can be kept while ledgerRows runs), and
// objections against a few of its rows, upheld ones followed by a
// correcting entry in the chain.
func (w *world) tables() []postgres.HistoryTable {
	return []postgres.HistoryTable{
		{Name: "orgs", Columns: []string{"id", "parent_id", "kind", "name", "code"}, Rows: w.orgRows},
		{Name: "candidates", Columns: []string{"id", "org_id", "code", "name", "gender", "birth_date", "occupation", "priority_group",
			"reserve_pool", "front_line", "stage", "applied_on", "activist_since", "stage_since", "probation_since", "talked_on"}, Rows: w.candidateRows},
		{Name: "users", Columns: []string{"id", "username", "display_name", "password_hash", "candidate_id"}, Rows: w.userRows},
		{Name: "grants", Columns: []string{"user_id", "role", "org_id"}, Rows: w.grantRows},
		{Name: "ledger_keepers", Columns: []string{"org_id", "user_id", "named_at"}, Rows: w.keeperRows},
		{Name: "submissions", Columns: []string{"id", "candidate_id", "from_stage", "to_stage", "kind", "facts", "rules_version", "effective_on",
			"state", "submitted_by", "submitted_at", "decided_by", "decided_at", "decided_on", "reasons"}, Rows: w.submissionRows},
		{Name: "stage_changes", Columns: []string{"candidate_id", "from_stage", "to_stage", "effective_on", "submission_id", "reason", "recorded_by", "recorded_at"}, Rows: w.stageChangeRows},
		{Name: "filings", Columns: []string{"candidate_id", "submission_id", "kind", "committee_id", "filed_at", "acknowledged_by", "acknowledged_at"}, Rows: w.filingRows},
		{Name: "political_reviews", Columns: []string{"candidate_id", "passed", "conclusion", "reviewed_on", "recorded_by", "recorded_at"}, Rows: w.politicalReviewRows},
		{Name: "ledger_entries", Columns: []string{"id", "candidate_id", "seq", "kind", "category", "points", "occurred_on", "period", "description",
			"reverses", "reason", "recorded_by", "recorded_by_name", "recorded_at", "prev_hash", "hash"}, Rows: w.ledgerRows},
		{Name: "audit_events", Columns: []string{"at", "actor_id", "actor", "role", "org_id", "action", "target", "summary"}, Rows: w.auditRows},
	}
}

type put = func(values ...any) error

func date(t time.Time) string { return t.Format(seedling.DateLayout) }

func optDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return date(*t)
}

func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *world) orgRows(put put) error {
	for i, o := range w.orgs {
		var parent any
		if i > 0 {
			parent = o.parent
		}
		if err := put(o.id, parent, string(o.kind), o.name, fmt.Sprintf("gen-%d", o.id)); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) candidateRows(put put) error {
	for _, p := range w.people {
		if err := put(p.id, w.orgs[p.org].id, fmt.Sprintf("gen-%d", p.id), p.name, p.gender, date(p.birth), p.occupation, optText(p.priority),
			p.reserve, p.front, string(p.stage), date(p.applied), optDate(p.activist), date(p.stageSince), optDate(p.probation), date(p.talked)); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) userRows(put put) error {
	for _, u := range w.users {
		var cand any
		if u.candidate > 0 {
			cand = u.candidate
		}
		if err := put(u.id, u.username, u.display, w.passwordHash, cand); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) grantRows(put put) error {
	for _, u := range w.users {
		if err := put(u.id, string(u.role), u.org); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) keeperRows(put put) error {
	for _, o := range w.orgs {
		if o.kind == seedling.KindBranch {
			if err := put(o.id, w.users[o.secretary].id, w.p.Today.AddDate(-3, 0, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

// secretaryOf and committeeOf are the accounts that propose and decide a
// person's steps.
func (w *world) secretaryOf(p person) user { return w.users[w.orgs[w.orgs[p.org].branch].secretary] }
func (w *world) committeeOf(p person) user { return w.users[w.orgs[w.orgs[p.org].township].secretary] }

func (w *world) submissionRows(put put) error {
	for _, s := range w.steps {
		if s.state == "" {
			continue
		}
		p := w.people[s.person]
		submitted := s.on.AddDate(0, 0, -7)
		if err := put(s.id, p.id, string(s.from), string(s.to), "advance", `{"generated": true}`, "generated", date(s.on),
			s.state, w.secretaryOf(p).id, submitted, w.committeeOf(p).id, s.on, date(s.on), s.reasons); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) stageChangeRows(put put) error {
	for _, s := range w.steps {
		if s.state == "returned" {
			continue
		}
		var sub any
		if s.id != 0 {
			sub = s.id
		}
		p := w.people[s.person]
		if err := put(p.id, string(s.from), string(s.to), date(s.on), sub, s.comment, w.committeeOf(p).id, s.on); err != nil {
			return err
		}
	}
	return nil
}

// filingRows files every approved naming of an activist or a target with
// the township committee, acknowledged the day it was filed.
func (w *world) filingRows(put put) error {
	for _, s := range w.steps {
		if s.state != "approved" || (s.to != seedling.StageActivist && s.to != seedling.StageTarget) {
			continue
		}
		p := w.people[s.person]
		c := w.committeeOf(p)
		if err := put(p.id, s.id, string(s.to), c.org, s.on, c.id, s.on); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) politicalReviewRows(put put) error {
	for _, p := range w.people {
		if p.target == nil || p.probation == nil {
			continue
		}
		on := p.probation.AddDate(0, 0, -20)
		if err := put(p.id, true, "政治审查合格，历史清白，表现良好。", date(on), w.committeeOf(p).id, on); err != nil {
			return err
		}
	}
	return nil
}

// Category weights: how often a branch books each kind of points. Codes a
// later rubric adds get weight 1.
var categoryWeights = map[string]int{
	"study_attendance": 40, "task_completion": 20, "activity_conduct": 20, "critical_moment": 3,
	"exam_result": 3, "evaluation_result": 5, "study_absence": 5, "deduction": 2,
}

// ledgerRows writes every person's chain, computing each row's hash as the
// store would, and keeps each chain's head for its audit row.
func (w *world) ledgerRows(put put) error {
	w.heads = make([]head, len(w.people))
	id := w.firstEntry
	for i, p := range w.people {
		if p.entries == 0 {
			continue
		}
		r := w.rng(partLedger, i)
		rec := w.secretaryOf(p)
		days := max(1, int(p.until.Sub(p.ledgerFrom).Hours()/24)+1)
		on := make([]int, 0, p.entries)
		for range p.entries {
			on = append(on, r.IntN(days))
		}
		slices.Sort(on)
		prev, last := ledger.Genesis, time.Time{}
		type written struct {
			id  int64
			rec ledger.Record
		}
		var reversible []written
		for seq := 1; seq <= p.entries; seq++ {
			day := p.ledgerFrom.AddDate(0, 0, on[seq-1])
			e := ledger.Record{CandidateID: p.id, Seq: seq, RecordedByID: rec.id, RecordedBy: rec.username}
			var reverses any
			// About one row in forty corrects an earlier mistake.
			if len(reversible) > 0 && r.IntN(40) == 0 {
				k := r.IntN(len(reversible))
				orig := reversible[k]
				reversible = slices.Delete(reversible, k, k+1)
				e.Kind, e.Category, e.Points = ledger.KindReversal, orig.rec.Category, -orig.rec.Points
				e.OccurredOn, e.Period, e.Description = orig.rec.OccurredOn, orig.rec.Period, orig.rec.Description
				e.ReversesSeq, e.Reason = orig.rec.Seq, revokeReasons[r.IntN(len(revokeReasons))]
				reverses = orig.id
				day = maxTime(day, orig.rec.RecordedAt)
			} else {
				cat, ok := w.category(r, day)
				if !ok {
					return fmt.Errorf("no rubric in force on %s", date(day))
				}
				e.Kind, e.Category, e.Points = ledger.KindEntry, cat.Code, points(r, cat)
				e.OccurredOn, e.Period = date(day), ledger.PeriodOf(day).String()
				e.Description = w.description(r, cat.Code)
			}
			// Recorded one to three days later in office hours, in chain
			// order, never after the day the province is made.
			at := day.AddDate(0, 0, 1+r.IntN(3)).Add(time.Duration(1+r.IntN(8))*time.Hour + time.Duration(r.IntN(3600))*time.Second)
			at = minTime(at, w.p.Today)
			if !at.After(last) {
				at = last.Add(time.Minute)
			}
			last = at.UTC()
			e.RecordedAt = last
			hash := ledger.Hash(prev, e)
			if err := put(id, p.id, seq, e.Kind, e.Category, e.Points, e.OccurredOn, e.Period, e.Description,
				reverses, e.Reason, rec.id, rec.username, e.RecordedAt, prev, hash); err != nil {
				return err
			}
			if e.Kind == ledger.KindEntry {
				reversible = append(reversible, written{id, e})
			}
			prev = hash
			id++
		}
		w.heads[i] = head{seq: p.entries, hash: prev}
	}
	return nil
}

// auditRows writes one audit row per chain, as the demo loader does: the
// seq and hash of its last row, which `seedling verify` holds the chain to.
func (w *world) auditRows(put put) error {
	for i, h := range w.heads {
		if h.seq == 0 {
			continue
		}
		p := w.people[i]
		u := w.secretaryOf(p)
		if err := put(w.p.Today, u.id, u.username, string(u.role), u.org, "ledger.gen", fmt.Sprintf("candidate:%d", p.id),
			fmt.Sprintf("seq=%d hash=%s rows=%d", h.seq, ledger.AuditHash(h.hash), h.seq)); err != nil {
			return err
		}
	}
	return nil
}

// category draws a category of the rubric in force on the day by weight.
func (w *world) category(r *rand.Rand, day time.Time) (ledger.Category, bool) {
	rb, ok := w.rubrics.InForce(ledger.PeriodOf(day))
	if !ok || len(rb.Categories) == 0 {
		return ledger.Category{}, false
	}
	total := 0
	for _, c := range rb.Categories {
		total += weight(c.Code)
	}
	n := r.IntN(total)
	for _, c := range rb.Categories {
		if n -= weight(c.Code); n < 0 {
			return c, true
		}
	}
	return rb.Categories[len(rb.Categories)-1], true
}

func weight(code string) int {
	if n, ok := categoryWeights[code]; ok {
		return n
	}
	return 1
}

// points draws within the category's limits: exams and evaluations over
// the upper half of their range, everything else near its low end, as
// branches book them.
func points(r *rand.Rand, c ledger.Category) int {
	lo, hi := c.Min, c.Max
	if c.Deduction() {
		return hi - r.IntN(min(3, hi-lo+1))
	}
	if hi-lo >= 10 {
		return (lo+hi)/2 + r.IntN(hi-(lo+hi)/2+1)
	}
	return lo + r.IntN(min(3, hi-lo+1))
}

func (w *world) description(r *rand.Rand, code string) string {
	if list := w.descriptions[code]; len(list) > 0 {
		return list[r.IntN(len(list))]
	}
	return code
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
