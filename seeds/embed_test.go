package seeds

import (
	"strings"
	"testing"
	"time"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// The walkthrough and later steps lean on these facts of the demo data; a
// hand edit of demo.json that breaks one should fail here, not in a demo.
func TestDemoShape(t *testing.T) {
	d, err := Demo(seedling.Today(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]Org{}
	kinds := map[string]int{}
	groups := map[string]int{}
	for _, o := range d.Orgs {
		orgs[o.Code] = o
		kinds[o.Kind]++
		if o.Kind == string(seedling.KindGroup) {
			groups[o.Parent]++
		}
	}
	if kinds["committee"] < 4 || kinds["general_branch"] < 1 || kinds["branch"] < 12 {
		t.Errorf("tree too small: %v", kinds)
	}
	for _, o := range d.Orgs {
		if o.Kind == string(seedling.KindBranch) && (groups[o.Code] < 1 || groups[o.Code] > 3) {
			t.Errorf("branch %s has %d party groups, want 1 to 3", o.Code, groups[o.Code])
		}
	}
	committeeOf := func(code string) string {
		for o := orgs[code]; o.Code != ""; o = orgs[o.Parent] {
			if o.Kind == string(seedling.KindCommittee) {
				return o.Code
			}
		}
		return ""
	}
	if a, b := committeeOf("branch-a"), committeeOf("branch-b"); a != "meishan" || b == "" || b == a {
		t.Errorf("branch-a is under %q and branch-b under %q; want meishan and another committee", a, b)
	}

	if len(d.Candidates) < 72 {
		t.Errorf("%d candidates, want at least 72", len(d.Candidates))
	}
	stages := map[string]int{}
	inA := map[string]int{}
	var trainedActivists, newActivists int
	var activistA *Candidate
	for i, c := range d.Candidates {
		stages[c.Stage]++
		if c.Org == "branch-a" {
			inA[c.Stage]++
		}
		if c.Code == "activist-a" {
			activistA = &d.Candidates[i]
		}
		if c.Stage == string(seedling.StageActivist) {
			// Today in the demo is 2026-11-26: the one-year rule splits here.
			if c.ActivistSince <= "2025-11-26" {
				trainedActivists++
			} else {
				newActivists++
			}
		}
	}
	for _, s := range seedling.Stages {
		want := 2
		if !s.Final() {
			want = 6
		}
		if stages[string(s)] < want {
			t.Errorf("stage %s has %d candidates, want at least %d", s, stages[string(s)], want)
		}
	}
	total := 0
	for _, n := range inA {
		total += n
	}
	if total < 8 || inA["activist"] < 3 {
		t.Errorf("branch-a has %v, want at least 8 candidates and 3 activists", inA)
	}
	// Party groups hold people of their own, so that a group leader's
	// page, and a branch's display of its groups, show someone: in branch
	// A's three groups and in the groups of other branches.
	inGroups, branches := map[string]int{}, map[string]bool{}
	for _, c := range d.Candidates {
		if o := orgs[c.Org]; o.Kind == string(seedling.KindGroup) {
			inGroups[o.Code]++
			branches[o.Parent] = true
		}
	}
	if inGroups["branch-a-g1"] < 4 || inGroups["branch-a-g2"] == 0 || inGroups["branch-a-g3"] == 0 || len(branches) < 3 {
		t.Errorf("people in party groups: %v, of %d branches; want every group of branch A, and groups of three branches", inGroups, len(branches))
	}
	if activistA == nil || activistA.Org != "branch-a" || activistA.Stage != "activist" {
		t.Errorf("activist-a = %+v, want an activist in branch-a", activistA)
	}
	if trainedActivists < 3 || newActivists < 3 {
		t.Errorf("activists: %d past the training year, %d within it; want several of each", trainedActivists, newActivists)
	}
}

func TestDemoValidationRejectsBrokenData(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(d *Dataset)
		want   string
	}{
		{"candidate in an unknown org", func(d *Dataset) { d.Candidates[0].Org = "no-such-branch" }, `org "no-such-branch" does not exist`},
		{"parent listed after child", func(d *Dataset) { d.Orgs[1], d.Orgs[2] = d.Orgs[2], d.Orgs[1] }, "must come before its children"},
		{"parent that does not exist", func(d *Dataset) { d.Orgs[1].Parent = "atlantis" }, `parent "atlantis" does not exist`},
		{"branch straight under the city", func(d *Dataset) { d.Orgs = append(d.Orgs, Org{Code: "x", Parent: "ruzhou", Kind: "branch", Name: "X"}) }, "a branch cannot be placed under a city"},
		{"candidate at a committee", func(d *Dataset) { d.Candidates[0].Org = "meishan" }, "belong to a branch or a party group"},
		{"duplicate code", func(d *Dataset) { d.Candidates[1].Code = d.Candidates[0].Code }, "code is used twice"},
		{"unknown stage", func(d *Dataset) { d.Candidates[0].Stage = "member" }, `unknown stage "member"`},
		{"unknown priority group", func(d *Dataset) { d.Candidates[0].PriorityGroup = "farmer" }, `unknown priority group "farmer"`},
		{"bad date", func(d *Dataset) { d.Candidates[0].AppliedOn = "2026/01/02" }, "not a YYYY-MM-DD date"},
		{"activist before applying", func(d *Dataset) { d.Candidates[0].ActivistSince = "2020-01-01" }, "activist_since is before applied_on"},
		{"stage before activist", func(d *Dataset) { d.Candidates[0].StageSince = "2025-09-14" }, "stage_since is before activist_since"},
		{"activist without activist_since", func(d *Dataset) { d.Candidates[0].ActivistSince = "" }, "activist_since is required"},
		{"applied under 18", func(d *Dataset) { d.Candidates[0].BirthDate = "2010-01-01" }, "applied before turning 18"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Demo(seedling.Today(time.Now()))
			if err != nil {
				t.Fatal(err)
			}
			tc.mutate(d)
			err = d.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestDemoParseRejectsUnknownField(t *testing.T) {
	_, err := parse([]byte("{\"orgs\": [\n{\"code\": \"ruzhou\", \"kind\": \"city\", \"name\": \"市委\", \"colour\": \"red\"}]}"), seedling.Today(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "colour") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("parse = %v, want an unknown-field error naming the key and its line", err)
	}
}

// The demo's probationary members branch-a-08 and meishan-liuzhuang-03 are
// there to show the extension of probation (延长预备期, 细则 第三十二条),
// which is decided when probation ends, within the rule set's window: their
// probation must end inside that window on whatever day the demo is loaded,
// not only in the weeks after demo.json was written.
func TestDemoProbationEndsInsideExtensionWindow_Article32(t *testing.T) {
	for _, day := range []string{"2026-12-02", "2027-06-15", "2028-02-29", "2031-01-01"} {
		today, _ := seedling.ParseDate(day)
		d, err := Demo(today)
		if err != nil {
			t.Fatalf("as of %s: %v", day, err)
		}
		rs := pipeline.DefaultRegistry().InForce(today)
		for _, code := range []string{"branch-a-08", "meishan-liuzhuang-03"} {
			var c Candidate
			for _, x := range d.Candidates {
				if x.Code == code {
					c = x
				}
			}
			since, err := seedling.ParseDate(c.StageSince)
			if c.Stage != string(seedling.StageProbationary) || err != nil {
				t.Fatalf("as of %s: %s is %q since %q", day, code, c.Stage, c.StageSince)
			}
			end := since.AddDate(0, rs.ProbationMonths, 0)
			if left := int(end.Sub(today).Hours() / 24); left < 0 || left > rs.ExtensionWindowDays {
				t.Errorf("as of %s: %s's probation ends %s, %d days away; want within the next %d days",
					day, code, end.Format(seedling.DateLayout), left, rs.ExtensionWindowDays)
			}
		}
	}
}

func TestRelativeDate(t *testing.T) {
	today, _ := seedling.ParseDate("2026-03-01")
	for in, want := range map[string]string{
		"today": "2026-03-01", "today-1d": "2026-02-28", "today+30d": "2026-03-31", "today-365d": "2025-03-01",
		"2025-12-15": "2025-12-15", "today-3": "today-3", "today3d": "today3d", "todayx": "todayx", "": "",
	} {
		if got := RelativeDate(in, today); got != want {
			t.Errorf("RelativeDate(%q) = %q, want %q", in, got, want)
		}
	}
	d, err := parse([]byte(`{"orgs": [{"code": "c", "parent": "", "kind": "city", "name": "市委"}, {"code": "m", "parent": "c", "kind": "committee", "name": "党委"}, {"code": "b", "parent": "m", "kind": "branch", "name": "支部"}],
		"candidates": [{"code": "x", "org": "b", "name": "某", "stage": "applicant", "applied_on": "today-10days", "stage_since": "today"}]}`), today)
	if err == nil || !strings.Contains(err.Error(), `applied_on "today-10days" is not a YYYY-MM-DD date`) {
		t.Fatalf("a malformed relative date: %v, %+v", err, d)
	}
}
