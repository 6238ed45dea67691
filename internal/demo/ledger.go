package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/seeds"
)

// LedgerParams are the generator's parameters in seeds/ledger.json. They
// live in a seed file, not in code, so that the test template database
// (fingerprinted by the seed files) is rebuilt when they change.
type LedgerParams struct {
	Comment        string              `json:"_comment"`
	Generator      int                 `json:"generator"` // bumped with the generator's code
	Until          string              `json:"until"`
	Stages         []string            `json:"stages"`
	Ranges         map[string][2]int   `json:"ranges"`
	Totals         map[string]int      `json:"totals"`
	ReversalEvery  int                 `json:"reversal_every"`
	DeductionEvery int                 `json:"deduction_every"`
	Keepers        map[string]string   `json:"keepers"`
	LateRecords    map[string]Late     `json:"late_records"`
	Descriptions   map[string][]string `json:"descriptions"`
	Mistakes       struct {
		Duplicate   string `json:"duplicate"`
		WrongPoints string `json:"wrong_points"` // %d: the right points
	} `json:"mistakes"`
}

// Late makes one of a candidate's entries a late record (补录): booked
// Days after the date it claims, with its Reason, as a secretary catching up
// on a paper ledger would. Days is to exceed the rule set's late_record_days
// (TestDemoShowsLateRecordAndProbation holds it to that).
type Late struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// LedgerSeed reads seeds/ledger.json strictly.
func LedgerSeed() (*LedgerParams, error) {
	b, err := seeds.FS.ReadFile("ledger.json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p LedgerParams
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("seeds/ledger.json: %w", err)
	}
	if _, err := seedling.ParseDate(p.Until); err != nil {
		return nil, fmt.Errorf("seeds/ledger.json: until: %w", err)
	}
	return &p, nil
}

// loadLedgers gives every demo candidate at the listed stages a ledger
// from the day they became an activist: study, tasks, activities, critical
// moments, an exam and half-yearly evaluations, with some deductions and
// some mistakes corrected by a reversal. Generation is deterministic per
// candidate code, and a candidate whose ledger is not empty is left alone,
// so loading twice changes nothing. The chains are linked with the
// ledger's own hash, as the store's chain writer links them, so `seedling
// verify` holds for them too.
func loadLedgers(ctx context.Context, db *postgres.DB, a seedling.Actor, d *seeds.Dataset, p *LedgerParams) error {
	until, _ := seedling.ParseDate(p.Until)
	if today := seedling.Today(db.Now()); today.Before(until) {
		until = today
	}
	keepers, err := newKeepers(ctx, db, p.Keepers)
	if err != nil {
		return err
	}
	rubrics, err := db.Rubric().Versions(ctx)
	if err != nil {
		return err
	}
	recorders, err := branchSecretaries(ctx, db)
	if err != nil {
		return err
	}
	people, err := ledgerSubjects(ctx, db, d, p.Stages)
	if err != nil {
		return err
	}
	now := db.Now().UTC().Truncate(time.Microsecond)
	type chain struct {
		cand subject
		who  seedling.Actor
		plan []plannedRow
	}
	var chains []chain
	var rows int64
	for i, c := range people {
		entries, err := db.Ledger().Entries(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			continue
		}
		org, err := db.Orgs().ByID(ctx, c.OrgID)
		if err != nil {
			return err
		}
		who := seedling.Actor{Username: "demo"}
		for _, s := range recorders {
			if strings.HasPrefix(org.Path, s.path) {
				who = s.Actor
				break
			}
		}
		plan := planDemoLedger(p, rubrics, c.Code, string(c.Stage), *c.ActivistSince, until, now, c.FrontLine, i, p.LateRecords[c.Code])
		chains = append(chains, chain{cand: c, who: who, plan: plan})
		rows += int64(len(plan))
	}
	if rows == 0 && len(keepers) == 0 {
		return nil
	}
	// Ids reserved up front, so that a reversal can name the entry it
	// reverses within the same load.
	var next int64
	if rows > 0 {
		if next, err = db.ReserveIDs(ctx, "ledger_entries", rows); err != nil {
			return err
		}
	}
	type head struct {
		candidateID int64
		seq         int
		hash        []byte
	}
	var heads []head
	entryRows := func(put func(values ...any) error) error {
		for _, ch := range chains {
			h := head{candidateID: ch.cand.ID, hash: ledger.Genesis}
			for n := range ch.plan {
				row := &ch.plan[n]
				row.id, next = next, next+1
				rec := row.rec
				rec.RecordedBy, rec.RecordedAt = ch.who.Username, rec.RecordedAt.Truncate(time.Microsecond)
				if ch.who.UserID != nil {
					rec.RecordedByID = *ch.who.UserID
				}
				rec.CandidateID, rec.Seq = h.candidateID, h.seq+1
				prev, hash := h.hash, ledger.Hash(h.hash, rec)
				h.seq, h.hash = rec.Seq, hash
				// nil, not an empty []byte, which COPY would write as ''.
				var reverses, requestHash any
				if row.reverses >= 0 {
					reverses = ch.plan[row.reverses].id
				} else {
					requestHash = row.draft.RequestHash()
				}
				if err := put(row.id, rec.CandidateID, rec.Seq, rec.Kind, rec.Category, rec.Points, rec.OccurredOn, rec.Period, rec.Description,
					reverses, rec.Reason, ch.who.UserID, rec.RecordedBy, rec.RecordedAt,
					fmt.Sprintf("demo:%s:%d", ch.cand.Code, n), requestHash, prev, hash, rec.LateReason); err != nil {
					return err
				}
			}
			if h.seq > 0 {
				heads = append(heads, h)
			}
		}
		return nil
	}
	// Each chain's head is audited as the store audits what it appends.
	auditRows := func(put func(values ...any) error) error {
		for _, h := range heads {
			if err := put(a.UserID, a.Username, string(a.Role), a.OrgID, "ledger.demo", fmt.Sprintf("candidate:%d", h.candidateID),
				a.RequestID, a.IP, fmt.Sprintf("seq=%d hash=%s rows=%d", h.seq, ledger.AuditHash(h.hash), h.seq)); err != nil {
				return err
			}
		}
		return nil
	}
	_, err = db.CopyHistory(ctx, nil, []postgres.HistoryTable{
		{Name: "ledger_keepers", Columns: []string{"org_id", "user_id"}, Rows: keepers.rows},
		{Name: "ledger_entries", Columns: []string{"id", "candidate_id", "seq", "kind", "category", "points", "occurred_on", "period", "description",
			"reverses", "reason", "recorded_by", "recorded_by_name", "recorded_at", "idempotency_key", "request_hash", "prev_hash", "hash", "late_reason"}, Rows: entryRows},
		{Name: "audit_events", Columns: []string{"actor_id", "actor", "role", "org_id", "action", "target", "request_id", "ip", "summary"}, Rows: auditRows},
	})
	return err
}

// keeperRows are the ledger keepers of seeds/ledger.json at branches that
// have named nobody yet.
type keeperRows [][2]int64

func (k keeperRows) rows(put func(values ...any) error) error {
	for _, r := range k {
		if err := put(r[0], r[1]); err != nil {
			return err
		}
	}
	return nil
}

func newKeepers(ctx context.Context, db *postgres.DB, keepers map[string]string) (keeperRows, error) {
	codes := make([]string, 0, len(keepers))
	for code := range keepers {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	var out keeperRows
	for _, code := range codes {
		org, err := db.Orgs().ByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("keeper of %s: %w", code, err)
		}
		u, err := db.Users().ByUsername(ctx, keepers[code])
		if err != nil {
			return nil, fmt.Errorf("keeper of %s: %w", code, err)
		}
		k, found, err := db.Ledger().KeeperFor(ctx, org.Path)
		if err != nil {
			return nil, err
		}
		if !found || k.OrgID != org.ID {
			out = append(out, [2]int64{org.ID, u.ID})
		}
	}
	return out, nil
}

// secretary is a demo secretary and the path of the branch they keep.
type secretary struct {
	seedling.Actor
	path string
}

// branchSecretaries are the demo's branch secretaries, oldest account
// first: a candidate's entries are recorded by the first whose branch holds
// them, or by "demo" where no demo secretary works.
func branchSecretaries(ctx context.Context, db *postgres.DB) ([]secretary, error) {
	var out []secretary
	for _, a := range Accounts {
		if a.Role != seedling.RoleSecretary || a.ParentOf {
			continue
		}
		u, err := db.Users().ByUsername(ctx, a.Username)
		if err != nil {
			return nil, fmt.Errorf("demo secretary %s: %w", a.Username, err)
		}
		org, err := db.Orgs().ByCode(ctx, a.OrgCode)
		if err != nil {
			return nil, err
		}
		if org.Kind != seedling.KindBranch {
			continue
		}
		out = append(out, secretary{Actor: seedling.Actor{Username: u.Username, UserID: &u.ID}, path: org.Path})
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].UserID < *out[j].UserID })
	return out, nil
}

// subject is a candidate whose ledger the demo may write.
type subject struct {
	seedling.Candidate
	Code string
}

// ledgerSubjects are the dataset's candidates, as the database holds them
// now, who are activists at one of the stages, in code order.
func ledgerSubjects(ctx context.Context, db *postgres.DB, d *seeds.Dataset, stages []string) ([]subject, error) {
	codes := make([]string, 0, len(d.Candidates))
	for _, c := range d.Candidates {
		codes = append(codes, c.Code)
	}
	sort.Strings(codes)
	var out []subject
	for _, code := range codes {
		c, err := db.Candidates().ByCode(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("candidate %s: %w", code, err)
		}
		if c.ActivistSince != nil && slices.Contains(stages, string(c.Stage)) {
			out = append(out, subject{Candidate: c, Code: code})
		}
	}
	return out, nil
}

// plannedRow is one generated row; reverses is the index of the row it
// reverses, or -1.
type plannedRow struct {
	rec      ledger.Record
	draft    ledger.Draft
	reverses int
	id       int64
}

// planDemoLedger generates one candidate's rows, oldest first. It aims the
// cumulative score at a total: from seeds/ledger.json's totals, or drawn from
// the stage's range (scaled down for an activist still within the training
// year), split over the four dimensions and spread over the quarters so that
// no quarter reaches a cap. Deductions are balanced by extra points, and
// mistakes come in pairs of a wrong entry and its reversal, so the total is
// met exactly. A late record (late.Days > 0) is one of the entries booked
// late rather than an extra one, so it moves no total either.
func planDemoLedger(p *LedgerParams, rubrics ledger.Rubrics, code, stage string, from, until, now time.Time, frontLine bool, index int, late Late) []plannedRow {
	h := fnv.New64a()
	h.Write([]byte(code))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
	if until.Before(from) {
		return nil
	}
	days := int(until.Sub(from).Hours()/24) + 1
	total, ok := p.Totals[code]
	if !ok {
		r := p.Ranges[stage]
		total = r[0] + rng.IntN(max(1, r[1]-r[0]+1))
		if days < 365 {
			total = max(4, total*days/365)
		}
	}
	// Split the total over the dimensions, none above 24.
	dims := [4]int{}
	for i := range dims {
		dims[i] = total / 4
	}
	for i := 0; i < total%4; i++ {
		dims[i]++
	}
	for k := 0; k < 3; k++ {
		i, j := rng.IntN(4), rng.IntN(4)
		d := rng.IntN(4)
		if i != j && dims[i]-d >= 1 && dims[j]+d <= 24 {
			dims[i], dims[j] = dims[i]-d, dims[j]+d
		}
	}
	date := func(fraction float64) time.Time {
		return from.AddDate(0, 0, min(days-1, int(fraction*float64(days))))
	}
	randomDate := func() time.Time { return from.AddDate(0, 0, rng.IntN(days)) }
	pick := func(cat string) string {
		list := p.Descriptions[cat]
		if len(list) == 0 {
			return cat
		}
		return list[rng.IntN(len(list))]
	}
	type plain struct {
		cat    string
		points int
		on     time.Time
		wrong  bool      // booked by mistake first, then corrected
		late   bool      // booked late.Days after its date, with late.Reason
		booked time.Time // when it is recorded, roughly: its place in the chain
	}
	var plan []plain
	// split spreads points over entries of at most hi points each.
	split := func(cat string, points, lo, hi int, when func() time.Time) {
		for points > 0 {
			n := min(points, lo+rng.IntN(hi-lo+1))
			plan = append(plan, plain{cat: cat, points: n, on: when()})
			points -= n
		}
	}
	// Theory exam: one result, two thirds of the way in.
	if dims[0] > 0 {
		plan = append(plan, plain{cat: "exam_result", points: dims[0], on: date(0.66)})
	}
	// Study: attendance all along; some lose points for an absence.
	study := dims[1]
	if p.DeductionEvery > 0 && index%p.DeductionEvery == 1 && study >= 4 {
		plan = append(plan, plain{cat: "study_absence", points: -2, on: randomDate()})
		study += 2
	}
	split("study_attendance", study, 1, 3, randomDate)
	// Practice: tasks and activities, the front line for those who stood out.
	practice := dims[2]
	if frontLine && practice >= 8 {
		n := 5 + rng.IntN(3)
		plan = append(plan, plain{cat: "critical_moment", points: n, on: randomDate()})
		practice -= n
	}
	half := practice / 2
	split("task_completion", half, 2, 5, randomDate)
	split("activity_conduct", practice-half, 2, 4, randomDate)
	// Evaluation: at the end of each half year, the last one absorbing the rest.
	eval := dims[3]
	if p.DeductionEvery > 0 && index%p.DeductionEvery == 3 && eval >= 6 {
		plan = append(plan, plain{cat: "deduction", points: -3, on: randomDate()})
		eval += 3
	}
	var halves []time.Time
	for y := from.Year(); y <= until.Year(); y++ {
		for _, d := range []time.Time{time.Date(y, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)} {
			if !d.Before(from) && !d.After(until) {
				halves = append(halves, d)
			}
		}
	}
	if len(halves) == 0 {
		halves = []time.Time{until}
	}
	for i, d := range halves {
		if eval <= 0 {
			break
		}
		n := eval / (len(halves) - i)
		if i == len(halves)-1 {
			n = eval
		}
		n = max(1, n)
		plan = append(plan, plain{cat: "evaluation_result", points: n, on: d})
		eval -= n
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].on.Before(plan[j].on) })

	var out []plannedRow
	limit := until.Add(10 * time.Hour)
	if now.Before(limit) {
		limit = now
	}
	last := time.Time{}
	// stamp keeps recording times in chain order and never in the future.
	stamp := func(t time.Time) time.Time {
		if t.After(limit) {
			t = limit
		}
		if !t.After(last) {
			t = last.Add(time.Minute)
		}
		last = t
		return t
	}
	recordedAt := func(on time.Time) time.Time {
		// Recorded one to three days later, in office hours (China time).
		return stamp(on.AddDate(0, 0, 1+rng.IntN(3)).Add(time.Duration(1+rng.IntN(8))*time.Hour + time.Duration(rng.IntN(3600))*time.Second))
	}
	add := func(e plain, desc, lateReason string) int {
		pts := e.points
		d := ledger.Draft{Category: e.cat, Points: &pts, OccurredOn: e.on.Format(seedling.DateLayout), Description: desc, LateReason: lateReason}
		var at time.Time
		if lateReason != "" {
			at = stamp(e.booked.Add(2 * time.Hour)) // 10:00 in China
		} else {
			at = recordedAt(e.on)
		}
		rec := ledger.Record{Kind: ledger.KindEntry, Category: e.cat, Points: e.points, OccurredOn: d.OccurredOn,
			Period: ledger.PeriodOf(e.on).String(), Description: desc, RecordedAt: at, LateReason: lateReason}
		out = append(out, plannedRow{rec: rec, draft: d, reverses: -1})
		return len(out) - 1
	}
	mistake := p.ReversalEvery > 0 && index%p.ReversalEvery == 0 && len(plan) > 2
	if wrongAt := rng.IntN(max(1, len(plan))); mistake {
		plan[wrongAt].wrong = true
	}
	for i := range plan {
		plan[i].booked = plan[i].on
	}
	// The late record is the latest task or activity that can have been
	// booked late by now; it takes its place in the chain when it is booked.
	if late.Days > 0 {
		for i := len(plan) - 1; i >= 0; i-- {
			e := plan[i]
			if (e.cat == "task_completion" || e.cat == "activity_conduct") && !e.wrong && e.points > 0 && !e.on.AddDate(0, 0, late.Days+1).After(until) {
				plan[i].late, plan[i].booked = true, e.on.AddDate(0, 0, late.Days)
				break
			}
		}
		sort.SliceStable(plan, func(i, j int) bool { return plan[i].booked.Before(plan[j].booked) })
	}
	reverse := func(wrong int, reason string) {
		orig := out[wrong].rec
		rev := ledger.Record{Kind: ledger.KindReversal, Category: orig.Category, Points: -orig.Points, OccurredOn: orig.OccurredOn,
			Period: orig.Period, Description: orig.Description, ReversesSeq: wrong + 1,
			Reason: reason, RecordedAt: stamp(orig.RecordedAt.Add(2 * time.Hour))}
		out = append(out, plannedRow{rec: rev, reverses: wrong})
	}
	for _, e := range plan {
		cat, ok := rubricCategory(rubrics, e.on, e.cat)
		if !ok {
			continue
		}
		if !e.wrong || e.points <= 0 {
			reason := ""
			if e.late {
				reason = late.Reason
			}
			add(e, pick(e.cat), reason)
			continue
		}
		desc := pick(e.cat)
		if wrongPoints := e.points + 1; rng.IntN(2) == 0 && wrongPoints <= cat.Max {
			// Booked with the wrong points, reversed, booked again.
			wrong := e
			wrong.points = wrongPoints
			reverse(add(wrong, desc, ""), fmt.Sprintf(p.Mistakes.WrongPoints, e.points))
			add(e, desc, "")
		} else {
			// The same deed booked twice, the second reversed.
			add(e, desc, "")
			reverse(add(e, desc, ""), p.Mistakes.Duplicate)
		}
	}
	return out
}

func rubricCategory(rubrics ledger.Rubrics, on time.Time, code string) (ledger.Category, bool) {
	r, ok := rubrics.InForce(ledger.PeriodOf(on))
	if !ok {
		return ledger.Category{}, false
	}
	return r.Category(code)
}
