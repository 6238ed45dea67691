// Package seeds holds the demo data: a fictional slice of Ruzhou's party
// organisation with people at every stage of the seedling plan, so that a
// fresh install has something real-looking to show and test against.
// Every node and person carries a stable code, because later steps (accounts,
// ledgers) refer to them by code rather than by a database id.
package seeds

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// FS holds every seed file; tests fingerprint it to know when the demo
// database they clone is stale.
//
//go:embed *.json
var FS embed.FS

// Dataset is an organisation tree, parents before children, and the
// candidates that sit in it.
type Dataset struct {
	Orgs       []Org       `json:"orgs"`
	Candidates []Candidate `json:"candidates"`
}

// Org is one node; Parent is the parent's code, "" for the root.
type Org struct {
	Code   string `json:"code"`
	Parent string `json:"parent"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
}

// Candidate is one person; Org is the code of the branch (or party group)
// they belong to. Dates are YYYY-MM-DD, or relative to the day of the load
// ("today-352d", "today+3d", "today"; see RelativeDate); BirthDate,
// PriorityGroup and ActivistSince may be empty.
type Candidate struct {
	Code          string `json:"code"`
	Org           string `json:"org"`
	Name          string `json:"name"`
	Gender        string `json:"gender"`
	BirthDate     string `json:"birth_date"`
	Occupation    string `json:"occupation"`
	PriorityGroup string `json:"priority_group"`
	ReservePool   bool   `json:"reserve_pool"`
	FrontLine     bool   `json:"front_line"`
	Stage         string `json:"stage"`
	AppliedOn     string `json:"applied_on"`
	ActivistSince string `json:"activist_since"`
	StageSince    string `json:"stage_since"`
}

// Demo returns a fresh copy of the embedded demo data as of today (a date in
// China, seedling.Today), its relative dates resolved, already validated.
func Demo(today time.Time) (*Dataset, error) {
	b, err := FS.ReadFile("demo.json")
	if err != nil {
		return nil, err
	}
	return parse(b, today)
}

// RelativeDate resolves a seed date written relative to the day of the
// load: "today", "today-352d" or "today+3d". Some of the demo has to stay
// near today to show anything (a probation ending inside the extension
// window); a fixed date would drift out of it within weeks. Any other text
// is returned as it is, for Validate to judge.
func RelativeDate(s string, today time.Time) string {
	rest, ok := strings.CutPrefix(s, "today")
	if !ok {
		return s
	}
	if rest == "" {
		return today.Format(seedling.DateLayout)
	}
	days, ok := strings.CutSuffix(rest, "d")
	n, err := strconv.Atoi(days)
	if !ok || err != nil || (rest[0] != '+' && rest[0] != '-') {
		return s
	}
	return today.AddDate(0, 0, n).Format(seedling.DateLayout)
}

func parse(data []byte, today time.Time) (*Dataset, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	// A misspelt key would otherwise load as an empty value without a word.
	dec.DisallowUnknownFields()
	var d Dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("demo data: line %d: %v", lineAt(data, dec.InputOffset()), err)
	}
	if dec.More() {
		return nil, errors.New("demo data: unexpected content after the top-level object")
	}
	for i := range d.Candidates {
		c := &d.Candidates[i]
		for _, f := range []*string{&c.BirthDate, &c.AppliedOn, &c.ActivistSince, &c.StageSince} {
			*f = RelativeDate(*f, today)
		}
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

func lineAt(data []byte, offset int64) int {
	return bytes.Count(data[:min(int(offset), len(data))], []byte{'\n'}) + 1
}

// Validate checks what the database cannot check on its own (kind placement,
// order of the tree, the order of a person's dates) and what it would reject
// with a message that names no record. It reports every fault at once, each
// naming the code it belongs to, so that a hand edit of demo.json is fixed in
// one pass.
func (d *Dataset) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	kinds := make(map[string]seedling.OrgKind, len(d.Orgs))
	later := make(map[string]bool, len(d.Orgs))
	for _, o := range d.Orgs {
		later[o.Code] = true
	}
	for i, o := range d.Orgs {
		at := fmt.Sprintf("org %q", o.Code)
		if o.Code == "" {
			at = fmt.Sprintf("org #%d", i+1)
			add("%s: code is required", at)
		} else if _, dup := kinds[o.Code]; dup {
			add("%s: code is used twice", at)
		}
		kind := seedling.OrgKind(o.Kind)
		if err := seedling.ValidateOrg(kind, o.Name); err != nil {
			add("%s: %s", at, seedling.ErrorMessage(err))
		}
		switch parent, known := kinds[o.Parent]; {
		case o.Parent == "":
			if kind != seedling.KindCity {
				add("%s: only a city committee may be a root", at)
			}
		case !known && later[o.Parent]:
			add("%s: parent %q must come before its children", at, o.Parent)
		case !known:
			add("%s: parent %q does not exist", at, o.Parent)
		case kind.Valid() && !parent.MayContain(kind):
			add("%s: a %s cannot be placed under a %s", at, kind, parent)
		}
		if o.Code != "" {
			kinds[o.Code] = kind
		}
	}

	seen := make(map[string]bool, len(d.Candidates))
	for i, c := range d.Candidates {
		at := fmt.Sprintf("candidate %q", c.Code)
		if c.Code == "" {
			at = fmt.Sprintf("candidate #%d", i+1)
			add("%s: code is required", at)
		} else if seen[c.Code] {
			add("%s: code is used twice", at)
		}
		seen[c.Code] = true

		switch kind, ok := kinds[c.Org]; {
		case !ok:
			add("%s: org %q does not exist", at, c.Org)
		case kind != seedling.KindBranch && kind != seedling.KindGroup:
			add("%s: org %q is a %s; candidates belong to a branch or a party group", at, c.Org, kind)
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Name)); n == 0 || n > 50 {
			add("%s: name must be 1 to 50 characters", at)
		}
		if c.Gender != "" && c.Gender != "male" && c.Gender != "female" {
			add("%s: gender %q is not male, female or empty", at, c.Gender)
		}
		if utf8.RuneCountInString(c.Occupation) > 100 {
			add("%s: occupation is longer than 100 characters", at)
		}
		if c.PriorityGroup != "" && !seedling.PriorityGroup(c.PriorityGroup).Valid() {
			add("%s: unknown priority group %q", at, c.PriorityGroup)
		}
		stage := seedling.Stage(c.Stage)
		if !stage.Valid() {
			add("%s: unknown stage %q", at, c.Stage)
		}

		date := func(field, s string, required bool) (time.Time, bool) {
			if s == "" {
				if required {
					add("%s: %s is required", at, field)
				}
				return time.Time{}, false
			}
			t, err := seedling.ParseDate(s)
			if err != nil {
				add("%s: %s %q is not a YYYY-MM-DD date (nor today±Nd)", at, field, s)
				return time.Time{}, false
			}
			return t, true
		}
		birth, hasBirth := date("birth_date", c.BirthDate, false)
		applied, hasApplied := date("applied_on", c.AppliedOn, true)
		activist, hasActivist := date("activist_since", c.ActivistSince, false)
		since, hasSince := date("stage_since", c.StageSince, true)

		// The one-year training rule counts from activist_since, so every
		// stage past activist needs it and an applicant cannot have it.
		switch stage {
		case seedling.StageApplicant:
			if c.ActivistSince != "" {
				add("%s: an applicant has no activist_since", at)
			}
		case seedling.StageActivist, seedling.StageTarget, seedling.StageProbationary, seedling.StageFull:
			if c.ActivistSince == "" {
				add("%s: activist_since is required at stage %s", at, stage)
			}
		}
		if hasApplied && hasActivist && activist.Before(applied) {
			add("%s: activist_since is before applied_on", at)
		}
		if hasActivist && hasSince && since.Before(activist) {
			add("%s: stage_since is before activist_since", at)
		}
		if hasApplied && hasSince && since.Before(applied) {
			add("%s: stage_since is before applied_on", at)
		}
		// Only someone aged eighteen may apply (党章 第一条).
		if hasBirth && hasApplied && applied.Before(birth.AddDate(18, 0, 0)) {
			add("%s: applied before turning 18", at)
		}
	}

	switch len(p) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("demo data is invalid: %s", p[0])
	default:
		return fmt.Errorf("demo data is invalid (%d problems): %s", len(p), strings.Join(p, "; "))
	}
}
