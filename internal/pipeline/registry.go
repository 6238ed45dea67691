package pipeline

import (
	"fmt"
	"slices"
	"time"
)

// Registry holds every RuleSet the service knows, so that a proposal is
// checked under the rules in force on its date and an old submission can be
// re-read under the version it was checked with.
type Registry struct {
	sets []*RuleSet // by EffectiveFrom, earliest first
}

// NewRegistry validates the rule sets and orders them by the date they take
// effect. Versions must be unique, and no two sets may take effect on the same
// date (which one would be in force would be a guess).
func NewRegistry(sets ...*RuleSet) (*Registry, error) {
	r := &Registry{}
	versions := map[string]bool{}
	for _, rs := range sets {
		if rs == nil {
			return nil, fmt.Errorf("pipeline: nil rule set")
		}
		if err := rs.Validate(); err != nil {
			return nil, err
		}
		if versions[rs.Version] {
			return nil, fmt.Errorf("pipeline: rule set version %q twice", rs.Version)
		}
		versions[rs.Version] = true
		r.sets = append(r.sets, rs)
	}
	slices.SortStableFunc(r.sets, func(a, b *RuleSet) int { return a.EffectiveFrom.Compare(b.EffectiveFrom) })
	for i := 1; i < len(r.sets); i++ {
		if r.sets[i].EffectiveFrom.Equal(r.sets[i-1].EffectiveFrom) {
			return nil, fmt.Errorf("pipeline: rule sets %q and %q take effect on the same date", r.sets[i-1].Version, r.sets[i].Version)
		}
	}
	return r, nil
}

// DefaultRegistry holds the rule sets shipped with the binary
// (policies/rules), loaded once; rule sets are read-only once loaded.
func DefaultRegistry() *Registry { return shipped }

var shipped = func() *Registry {
	r, err := LoadRegistry("")
	if err != nil {
		panic(err) // the shipped data is wrong: TestShippedRulesAreValid catches this first
	}
	return r
}()

// Rules2014 is the shipped rule set of the 2014 细则 with the Ruzhou plan's
// numbers. Do not modify: copy the value to derive a new version.
var Rules2014 = shipped.Version("2014-ruzhou-1")

// InForce returns the rule set in force on a date: the latest one whose
// EffectiveFrom is on or before it, or nil before the first.
func (r *Registry) InForce(on time.Time) *RuleSet {
	on = dateOf(on)
	var cur *RuleSet
	for _, rs := range r.sets {
		if dateOf(rs.EffectiveFrom).After(on) {
			break
		}
		cur = rs
	}
	return cur
}

// Version returns the rule set with the given version, or nil.
func (r *Registry) Version(v string) *RuleSet {
	for _, rs := range r.sets {
		if rs.Version == v {
			return rs
		}
	}
	return nil
}

// All lists the rule sets, earliest first.
func (r *Registry) All() []*RuleSet { return slices.Clone(r.sets) }

// Validate checks that a rule set is well formed: every step names known
// stages, has an effective date among its date facts, valid fact specs and
// rules with unique IDs and a check function.
func (rs *RuleSet) Validate() error {
	if rs.Version == "" {
		return fmt.Errorf("pipeline: rule set without a version")
	}
	if rs.EffectiveFrom.IsZero() {
		return fmt.Errorf("pipeline: rule set %s has no effective date", rs.Version)
	}
	seenStep := map[string]bool{}
	for i, st := range rs.Steps {
		where := fmt.Sprintf("pipeline: rule set %s, step %d (%s→%s)", rs.Version, i, st.From, st.To)
		if !st.From.Valid() || !st.To.Valid() || st.From.Final() {
			return fmt.Errorf("%s: bad stages", where)
		}
		switch st.Kind {
		case KindAdvance, KindExtend, KindWithdraw, KindCancel:
		default:
			return fmt.Errorf("%s: bad kind %q", where, st.Kind)
		}
		key := string(st.From) + ">" + string(st.To)
		if seenStep[key] {
			return fmt.Errorf("%s: two steps between the same stages", where)
		}
		seenStep[key] = true
		facts := map[string]string{}
		for _, f := range st.Facts {
			if f.Name == "" || facts[f.Name] != "" {
				return fmt.Errorf("%s: fact %q missing or twice", where, f.Name)
			}
			switch f.Type {
			case TypeDate, TypeText, TypeInt, TypeNames, TypeBool:
			case TypeChoice:
				if len(f.Choices) == 0 || (f.ChoiceLabels != nil && len(f.ChoiceLabels) != len(f.Choices)) {
					return fmt.Errorf("%s: fact %s: bad choices", where, f.Name)
				}
			default:
				return fmt.Errorf("%s: fact %s: bad type %q", where, f.Name, f.Type)
			}
			if f.Label == "" {
				return fmt.Errorf("%s: fact %s: no label", where, f.Name)
			}
			// Pages show the note in the reader's language.
			if f.Note != "" && f.NoteEn == "" {
				return fmt.Errorf("%s: fact %s: a note without its English", where, f.Name)
			}
			facts[f.Name] = f.Type
		}
		if facts[st.EffectiveFact] != TypeDate {
			return fmt.Errorf("%s: effective fact %q is not a date fact", where, st.EffectiveFact)
		}
		ids := map[string]bool{}
		for _, r := range append(slices.Clone(rs.Common), st.Rules...) {
			if r.ID == "" || ids[r.ID] || r.Check == nil || r.Article == "" {
				return fmt.Errorf("%s: rule %q missing, twice, without a check or an article", where, r.ID)
			}
			ids[r.ID] = true
		}
	}
	return nil
}
