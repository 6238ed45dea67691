package display

import (
	"bytes"
	"testing"
	"time"

	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

func day(s string) time.Time {
	d, err := seedling.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct{ in, first, last string }{
		{"2026Q3", "2026-07-01", "2026-09-30"},
		{"2026Q1", "2026-01-01", "2026-03-31"},
		{"2026H2", "2026-07-01", "2026-12-31"},
		{"2026H1", "2026-01-01", "2026-06-30"},
	} {
		p, err := ParsePeriod(tc.in)
		if err != nil || p.String() != tc.in || p.First() != day(tc.first) || p.Last() != day(tc.last) {
			t.Errorf("%s: %v %v–%v", tc.in, err, p.First(), p.Last())
		}
	}
	for _, bad := range []string{"2026Q5", "2026H3", "2026Q0", "2026M1", "26Q3", "2026Q3x", "", "1999Q1", "abcdQ1"} {
		if _, err := ParsePeriod(bad); seedling.ErrorCode(err) != seedling.EInvalid {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
	q3, _ := ParsePeriod("2026Q3")
	if err := q3.CheckEnded(day("2026-09-30")); seedling.ErrorCode(err) != seedling.ERule {
		t.Errorf("Q3 ended on its last day: %v", err)
	}
	if err := q3.CheckEnded(day("2026-10-01")); err != nil {
		t.Errorf("Q3 not ended on 1 October: %v", err)
	}
	if LastEnded(day("2026-01-15")).String() != "2025Q4" || LastEnded(day("2026-12-02")).String() != "2026Q3" {
		t.Error("LastEnded")
	}
	if CheckNode(seedling.KindCommittee) == nil || CheckNode(seedling.KindBranch) != nil || CheckNode(seedling.KindGroup) != nil {
		t.Error("CheckNode")
	}
}

func TestHashAndCode(t *testing.T) {
	rows := []Row{{CandidateID: 1, Name: "张小华", Stage: seedling.StageActivist, Points: 82, Dimensions: []Dim{{"theory_exam", 20}}, HeadSeq: 3, HeadHash: []byte{1, 2}}}
	h := Hash(7, "2026Q3", 1, rows)
	if !bytes.Equal(h, Hash(7, "2026Q3", 1, rows)) {
		t.Fatal("hash not stable")
	}
	altered := []Row{rows[0]}
	altered[0].Points = 83
	if bytes.Equal(h, Hash(7, "2026Q3", 1, altered)) {
		t.Fatal("hash ignores points")
	}
	moved := []Row{rows[0]}
	moved[0].HeadSeq = 4
	if bytes.Equal(h, Hash(7, "2026Q3", 1, moved)) {
		t.Fatal("hash ignores the chain head")
	}
	if c := VerificationCode(h); len(c) != 9 || c[4] != '-' {
		t.Fatalf("code %q", c)
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"张华": "张*", "张小华": "张*华", "欧阳小华": "欧**华", "李": "*", "": ""} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiff(t *testing.T) {
	a := Row{CandidateID: 1, Name: "甲", Points: 80}
	b := Row{CandidateID: 2, Name: "乙", Points: 70}
	b2 := b
	b2.Points = 75
	c := Row{CandidateID: 3, Name: "丙", Points: 60}
	ch := Diff([]Row{a, b, c}, []Row{a, b2})
	if len(ch) != 2 || ch[0].CandidateID != 2 || ch[0].Before.Points != 70 || ch[0].After.Points != 75 || ch[1].CandidateID != 3 || ch[1].After != nil {
		t.Fatalf("diff %+v", ch)
	}
}

// The window of a display published on Thursday 12 February 2026 runs
// over the make-up Saturday and the Spring Festival to the 25th.
func TestObjectionWindowAndDeadline(t *testing.T) {
	cal := calendar.New(nil)
	w, _ := cal.WindowFrom(day("2026-02-12"), 5)
	d := Display{State: StatePublished, Window: &w, Rows: []Row{{CandidateID: 9}}}
	r, due, err := d.CheckRaiseOn(Raise{CandidateID: 9, Text: " 分数有误 "}, day("2026-02-13"), false, cal, 5)
	if err != nil || r.Text != "分数有误" || r.Channel != ChannelOnline || due != day("2026-02-26") {
		t.Fatalf("raise: %+v %v %v", r, due, err)
	}
	for name, tc := range map[string]struct {
		r        Raise
		today    string
		recorder bool
		code     string
	}{
		"empty text":      {Raise{CandidateID: 9, Text: "  "}, "2026-02-13", false, seedling.EInvalid},
		"row not shown":   {Raise{CandidateID: 8, Text: "x"}, "2026-02-13", false, seedling.EInvalid},
		"after window":    {Raise{CandidateID: 9, Text: "x"}, "2026-02-26", false, seedling.ERule},
		"before window":   {Raise{CandidateID: 9, Text: "x"}, "2026-02-11", false, seedling.ERule},
		"paper by member": {Raise{CandidateID: 9, Text: "x", Channel: ChannelPaper, From: "王"}, "2026-02-13", false, seedling.EInvalid},
		"paper, no from":  {Raise{CandidateID: 9, Text: "x", Channel: ChannelPaper}, "2026-02-13", true, seedling.EInvalid},
		"bad channel":     {Raise{CandidateID: 9, Text: "x", Channel: "fax"}, "2026-02-13", true, seedling.EInvalid},
	} {
		if _, _, err := d.CheckRaiseOn(tc.r, day(tc.today), tc.recorder, cal, 5); seedling.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	if _, _, err := d.CheckRaiseOn(Raise{CandidateID: 9, Text: "x", Channel: ChannelPhone, From: "王某"}, day("2026-02-13"), true, cal, 5); err != nil {
		t.Errorf("phone by the branch: %v", err)
	}
	draft := Display{State: StateDraft, Rows: d.Rows}
	if _, _, err := draft.CheckRaiseOn(Raise{CandidateID: 9, Text: "x"}, day("2026-02-13"), false, cal, 5); seedling.ErrorCode(err) != seedling.ERule {
		t.Errorf("draft: %v", err)
	}
	o := Objection{State: ObjectionOpen, DueOn: due}
	if o.Overdue(day("2026-02-26")) || !o.Overdue(day("2026-02-27")) {
		t.Error("Overdue")
	}
}

// An upheld objection reverses only an entry of the person it is about; the
// rule sat in the store before.
func TestObjectionReversesOnlyItsPersonsEntry(t *testing.T) {
	o := Objection{State: ObjectionOpen, CandidateID: 7}
	if err := o.CanReverseFor(7); err != nil {
		t.Fatal(err)
	}
	for _, owner := range []int64{8, 0} {
		err := o.CanReverseFor(owner)
		if de, ok := err.(*seedling.Error); !ok || de.FieldKeys["reverse_entry_id"].Key != "problem.reverse_other_ledger" {
			t.Errorf("owner %d: %v", owner, err)
		}
	}
}

func TestResolutionRules(t *testing.T) {
	open := Objection{State: ObjectionOpen}
	id := int64(4)
	for name, tc := range map[string]struct {
		o    Objection
		r    Resolution
		code string
	}{
		"uphold with entry":     {open, Resolution{Decision: Uphold, Reason: "属实", HasCorrection: true}, ""},
		"uphold with reversal":  {open, Resolution{Decision: Uphold, Reason: "属实", ReverseEntryID: &id}, ""},
		"reject":                {open, Resolution{Decision: Reject, Reason: "经核实无误"}, ""},
		"uphold, nothing":       {open, Resolution{Decision: Uphold, Reason: "属实"}, seedling.EInvalid},
		"reject with entry":     {open, Resolution{Decision: Reject, Reason: "x", HasCorrection: true}, seedling.EInvalid},
		"no reason":             {open, Resolution{Decision: Reject, Reason: " "}, seedling.EInvalid},
		"bad decision":          {open, Resolution{Decision: "maybe", Reason: "x"}, seedling.EInvalid},
		"second resolution":     {Objection{State: ObjectionUpheld}, Resolution{Decision: Reject, Reason: "x"}, seedling.EConflict},
		"second after rejected": {Objection{State: ObjectionRejected}, Resolution{Decision: Uphold, Reason: "x", HasCorrection: true}, seedling.EConflict},
	} {
		_, err := tc.o.CheckResolution(tc.r)
		if got := seedling.ErrorCode(err); (tc.code == "" && err != nil) || (tc.code != "" && got != tc.code) {
			t.Errorf("%s: %v, want %q", name, err, tc.code)
		}
	}
	pub := Display{State: StatePublished}
	if pub.CheckReissue(0) == nil || pub.CheckReissue(1) != nil || (Display{State: StateDraft}).CheckReissue(1) == nil {
		t.Error("CheckReissue")
	}
	if (Display{State: StatePublished}).CheckDraft() == nil || (Display{State: StateDraft}).CheckDraft() != nil {
		t.Error("CheckDraft")
	}
	if err := (Settings{WindowDays: 0, ObjectionDays: 31}).Check(); err == nil || len(err.(*seedling.Error).Fields) != 2 {
		t.Errorf("settings: %v", err)
	}
}

func TestOverviewRules(t *testing.T) {
	cal := calendar.New(nil)
	q3, _ := ParsePeriod("2026Q3")
	// Ten working days after 30 September 2026 skip the National Day week and work the make-up Saturday 10 October.
	if got := DueBy(cal, q3); got != day("2026-10-20") {
		t.Fatalf("due by %v", got)
	}
	var c OverviewCell
	c.Judge(day("2026-10-21"), day("2026-10-22"))
	if !c.Late {
		t.Error("unpublished past its day is late")
	}
	pub := day("2026-10-20")
	c = OverviewCell{PublishedOn: &pub}
	c.Judge(day("2026-10-21"), day("2026-12-01"))
	if c.Late {
		t.Error("published in time is not late")
	}
	if ps := Periods(2026, day("2026-10-12")); len(ps) != 4 || ps[3].String() != "2026Q3" || ps[2].String() != "2026H1" {
		t.Fatalf("periods %v", ps)
	}
}

// TestDisplayLateAfterItsDueDay: a branch with people that has not published
// the last ended quarter's display by DueBy is late by the calendar days
// since; published, empty or not yet due, it is not. A party group owes a
// display only once it holds displays of its own.
func TestDisplayLateAfterItsDueDay(t *testing.T) {
	cal := calendar.New(nil)
	q3, _ := ParsePeriod("2026Q3")
	branch := Owing{Kind: seedling.KindBranch, HasPeople: true}
	due, days, late := DaysLate(cal, q3, branch, day("2026-10-23"))
	if !late || days != 3 || due != day("2026-10-20") {
		t.Fatalf("unpublished branch on 23 October: late %v by %d, due %v", late, days, due)
	}
	if _, _, late := DaysLate(cal, q3, branch, day("2026-10-20")); late {
		t.Error("late on its due day")
	}
	published := branch
	published.Published = true
	empty := Owing{Kind: seedling.KindBranch}
	group := Owing{Kind: seedling.KindGroup, HasPeople: true}
	holding := Owing{Kind: seedling.KindGroup, HasPeople: true, HoldsDisplays: true}
	committee := Owing{Kind: seedling.KindCommittee, HasPeople: true}
	for name, c := range map[string]struct {
		o    Owing
		late bool
	}{"published": {published, false}, "no people": {empty, false}, "group without displays": {group, false},
		"group holding displays": {holding, true}, "committee": {committee, false}} {
		if _, _, late := DaysLate(cal, q3, c.o, day("2026-11-02")); late != c.late {
			t.Errorf("%s: late %v, want %v", name, late, c.late)
		}
	}
	if ps := LastEndedPeriods(day("2027-01-05")); len(ps) != 2 || ps[0].String() != "2026Q4" || ps[1].String() != "2026H2" {
		t.Errorf("periods owed in January: %v", ps)
	}
	if ps := LastEndedPeriods(day("2026-11-02")); len(ps) != 1 || ps[0].String() != "2026Q3" {
		t.Errorf("periods owed in November: %v", ps)
	}
}
