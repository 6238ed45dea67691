package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"seedling/internal/seedling"
	"seedling/policies"
)

// ruleSetFile is one rule set as it is written in policies/rules/*.json: the
// numbers and switches of the process, with where they come from and when
// they take effect. Every field but pre_admission_notice is required; unknown fields are refused so
// that a misspelt switch cannot silently keep its old value.
type ruleSetFile struct {
	Version                    string `json:"version"`
	EffectiveFrom              string `json:"effective_from"`
	Source                     string `json:"source"`
	SourceEn                   string `json:"source_en"`
	Checks                     string `json:"checks"`
	Notes                      string `json:"notes,omitempty"`
	MinScore                   *int   `json:"min_score"`
	TrainingMonths             *int   `json:"training_months"`
	TalkMonths                 *int   `json:"talk_months"`
	AssessmentMonths           *int   `json:"assessment_months"`
	ProbationMonths            *int   `json:"probation_months"`
	DecisionMonths             *int   `json:"decision_months"`
	MaxFailedReviews           *int   `json:"max_failed_reviews"`
	StrikesApplyToProbationary *bool  `json:"strikes_apply_to_probationary"`
	NoticeWorkingDays          *int   `json:"notice_working_days"`
	ExtensionWindowDays        *int   `json:"extension_window_days"`
	ExtensionMinMonths         *int   `json:"extension_min_months"`
	ExtensionMaxMonths         *int   `json:"extension_max_months"`
	LateRecordDays             *int   `json:"late_record_days"`
	// PreAdmissionNotice is the one optional switch: versions written
	// before it existed leave it out and mean "off".
	PreAdmissionNotice *bool `json:"pre_admission_notice,omitempty"`
}

// checkKinds are the kinds of checks this build knows. A new version of the
// rules that only changes numbers or switches is a new data file; one that
// needs a new kind of check adds an entry here.
var checkKinds = map[string]func(*RuleSet){
	"2014": checks2014,
}

// ParseRuleSet reads and validates one rule-set file.
func ParseRuleSet(name string, data []byte) (*RuleSet, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f ruleSetFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("rules %s: %v", name, err)
	}
	from, err := seedling.ParseDate(f.EffectiveFrom)
	if err != nil {
		return nil, fmt.Errorf("rules %s: effective_from %q is not a date YYYY-MM-DD", name, f.EffectiveFrom)
	}
	build, ok := checkKinds[f.Checks]
	if !ok {
		return nil, fmt.Errorf("rules %s: unknown checks %q", name, f.Checks)
	}
	if strings.TrimSpace(f.Source) == "" {
		return nil, fmt.Errorf("rules %s: source is required", name)
	}
	// Pages name the rule set in the reader's language.
	if strings.TrimSpace(f.SourceEn) == "" {
		return nil, fmt.Errorf("rules %s: source_en, the source in English, is required", name)
	}
	var bad []string
	num := func(field string, v *int, lo, hi int) int {
		switch {
		case v == nil:
			bad = append(bad, field+" is required")
		case *v < lo || *v > hi:
			bad = append(bad, fmt.Sprintf("%s %d is outside %d..%d", field, *v, lo, hi))
		default:
			return *v
		}
		return 0
	}
	rs := &RuleSet{
		Version: f.Version, EffectiveFrom: from, Source: f.Source, SourceEn: f.SourceEn, Checks: f.Checks,
		MinScore:            num("min_score", f.MinScore, 0, 100),
		TrainingMonths:      num("training_months", f.TrainingMonths, 1, 60),
		TalkMonths:          num("talk_months", f.TalkMonths, 1, 12),
		AssessmentMonths:    num("assessment_months", f.AssessmentMonths, 1, 12),
		ProbationMonths:     num("probation_months", f.ProbationMonths, 1, 60),
		DecisionMonths:      num("decision_months", f.DecisionMonths, 1, 12),
		MaxFailedReviews:    num("max_failed_reviews", f.MaxFailedReviews, 0, 100),
		NoticeWorkingDays:   num("notice_working_days", f.NoticeWorkingDays, 0, 60),
		ExtensionWindowDays: num("extension_window_days", f.ExtensionWindowDays, 0, 366),
		ExtensionMinMonths:  num("extension_min_months", f.ExtensionMinMonths, 1, 24),
		ExtensionMaxMonths:  num("extension_max_months", f.ExtensionMaxMonths, 1, 24),
		LateRecordDays:      num("late_record_days", f.LateRecordDays, 1, 3660),
	}
	if f.StrikesApplyToProbationary == nil {
		bad = append(bad, "strikes_apply_to_probationary is required")
	} else {
		rs.StrikesApplyToProbationary = *f.StrikesApplyToProbationary
	}
	rs.PreAdmissionNotice = f.PreAdmissionNotice != nil && *f.PreAdmissionNotice
	if rs.PreAdmissionNotice && rs.NoticeWorkingDays < 1 {
		bad = append(bad, "pre_admission_notice needs notice_working_days of at least 1")
	}
	if len(bad) == 0 && rs.ExtensionMinMonths > rs.ExtensionMaxMonths {
		bad = append(bad, "extension_min_months exceeds extension_max_months")
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("rules %s: %s", name, strings.Join(bad, "; "))
	}
	build(rs)
	if err := rs.Validate(); err != nil {
		return nil, fmt.Errorf("rules %s: %v", name, err)
	}
	return rs, nil
}

// LoadRegistry reads the rule sets shipped in policies/rules and, when dir is
// not empty, those of a province's own rules directory. A file in dir whose
// version is also shipped replaces the shipped one; any other adds a version.
// Everything is validated here, at start, so that a bad file stops the
// service instead of a submission.
func LoadRegistry(dir string) (*Registry, error) {
	sets, err := loadDir(policies.Rules, "rules")
	if err != nil {
		return nil, err
	}
	if dir != "" {
		own, err := loadDir(os.DirFS(dir), ".")
		if err != nil {
			return nil, err
		}
		for _, o := range own {
			if i := slices.IndexFunc(sets, func(s *RuleSet) bool { return s.Version == o.Version }); i >= 0 {
				sets[i] = o
				continue
			}
			sets = append(sets, o)
		}
	}
	return NewRegistry(sets...)
}

func loadDir(fsys fs.FS, dir string) ([]*RuleSet, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 && dir != "." {
		return nil, fmt.Errorf("rules: no rule set in %s", dir)
	}
	var out []*RuleSet
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("rules %s: %v", n, err)
		}
		rs, err := ParseRuleSet(n, data)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}
