package seeds

import (
	"strings"
	"testing"

	"seedling/internal/seedling"
)

// The walkthrough and later steps lean on these facts of the demo data; a
// hand edit of demo.json that breaks one should fail here, not in a demo.
func TestDemoShape(t *testing.T) {
	d, err := Demo()
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
			d, err := Demo()
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
	_, err := parse([]byte("{\"orgs\": [\n{\"code\": \"ruzhou\", \"kind\": \"city\", \"name\": \"市委\", \"colour\": \"red\"}]}"))
	if err == nil || !strings.Contains(err.Error(), "colour") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("parse = %v, want an unknown-field error naming the key and its line", err)
	}
}
