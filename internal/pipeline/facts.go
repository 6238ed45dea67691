package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"seedling/internal/seedling"
)

// Facts are the normalised facts of a submission: time.Time for dates, string
// for text and choices, int, []string for names, bool.
type Facts map[string]any

// Date returns a date fact, if present.
func (f Facts) Date(name string) (time.Time, bool) {
	t, ok := f[name].(time.Time)
	return t, ok
}

// Int returns an int fact, if present.
func (f Facts) Int(name string) (int, bool) {
	n, ok := f[name].(int)
	return n, ok
}

// Text returns a text or choice fact, if present.
func (f Facts) Text(name string) (string, bool) {
	s, ok := f[name].(string)
	return s, ok
}

// Names returns a names fact, if present.
func (f Facts) Names(name string) ([]string, bool) {
	s, ok := f[name].([]string)
	return s, ok
}

// Bool returns a bool fact, if present.
func (f Facts) Bool(name string) (bool, bool) {
	b, ok := f[name].(bool)
	return b, ok
}

func intp(n int) *int { return &n }

// missingFact is a required fact that is absent: its field and why.
type missingFact struct {
	Field string
	Why   Why
}

// labelWords is a fact's label in both languages.
func labelWords(spec FactSpec) seedling.Words {
	return seedling.Words{Zh: spec.Label, En: spec.LabelEn}
}

// withLabel adds the fact's label to what a reason about it quotes.
func withLabel(params map[string]any, spec FactSpec) map[string]any {
	if params == nil {
		params = map[string]any{}
	}
	params["Label"] = labelWords(spec)
	return params
}

// normalise turns decoded JSON (strings, float64, []any, bool) into typed
// facts. A malformed value (a date that is not a date, an unknown fact) is
// an EInvalid error with one problem per bad fact under "facts.<name>"; a
// required fact that is absent is not malformed but missing, and is returned
// apart (field → why) so that Check can list it beside the broken rules in
// one 422.
func normalise(specs []FactSpec, raw map[string]any) (Facts, []missingFact, error) {
	p := seedling.NewProblems(seedling.EInvalid)
	out := Facts{}
	var missing []missingFact
	known := map[string]bool{}
	for _, spec := range specs {
		known[spec.Name] = true
		v, present := raw[spec.Name]
		if s, ok := v.(string); ok && spec.Type == TypeText && strings.TrimSpace(s) == "" {
			present = false // blank text is as good as absent
		}
		if !present || v == nil {
			if spec.Required {
				missing = append(missing, missingFact{"facts." + spec.Name,
					because("reason.fact.missing", "缺少必填事项："+spec.Label, "Label", labelWords(spec))})
			}
			continue
		}
		val, why := normaliseOne(spec, v)
		if why.Broken() {
			why.Params = withLabel(why.Params, spec)
			p.AddProblem("facts."+spec.Name, why.Problem, spec.Label+why.Text)
			continue
		}
		if val == nil { // blank optional text
			continue
		}
		out[spec.Name] = val
	}
	var unknown []string
	for k := range raw {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		p.AddKey("facts."+k, "reason.fact.unknown", "此步骤没有这一事项")
	}
	if err := p.Err(); err != nil {
		return nil, nil, err
	}
	return out, missing, nil
}

// normaliseOne returns the typed value or why the raw value is wrong (its
// text a phrase that follows the label; the catalogs quote the label as
// Label). A nil value with no reason means "absent".
func normaliseOne(spec FactSpec, v any) (any, Why) {
	switch spec.Type {
	case TypeDate:
		s, ok := v.(string)
		if !ok {
			return nil, because("reason.fact.date", "应为日期（YYYY-MM-DD）")
		}
		t, err := seedling.ParseDate(strings.TrimSpace(s))
		if err != nil {
			return nil, because("reason.fact.date", "日期格式应为 YYYY-MM-DD")
		}
		return t, Why{}
	case TypeText:
		s, ok := v.(string)
		if !ok {
			return nil, because("reason.fact.text", "应为文字")
		}
		s = strings.TrimSpace(s)
		if s == "" {
			if spec.Required {
				return nil, because("reason.fact.blank", "不能为空")
			}
			return nil, Why{}
		}
		if strings.ContainsRune(s, 0) {
			return nil, because("reason.fact.bad_char", "含有无效字符")
		}
		n := utf8.RuneCountInString(s)
		if spec.Min != nil && n < *spec.Min {
			return nil, because("reason.fact.text_short", fmt.Sprintf("至少 %d 个字（现 %d 个）", *spec.Min, n), "Min", *spec.Min, "N", n)
		}
		maxRunes := defaultTextMaxRunes
		if spec.Max != nil {
			maxRunes = *spec.Max
		}
		if n > maxRunes {
			return nil, because("reason.fact.text_long", fmt.Sprintf("最多 %d 个字（现 %d 个）", maxRunes, n), "Max", maxRunes, "N", n)
		}
		return s, Why{}
	case TypeInt:
		n, ok := toInt(v)
		if !ok {
			return nil, because("reason.fact.int", "应为整数")
		}
		if spec.Min != nil && n < *spec.Min {
			return nil, because("reason.fact.int_low", fmt.Sprintf("不能小于 %d（现 %d）", *spec.Min, n), "Min", *spec.Min, "N", n)
		}
		if spec.Max != nil && n > *spec.Max {
			return nil, because("reason.fact.int_high", fmt.Sprintf("不能大于 %d（现 %d）", *spec.Max, n), "Max", *spec.Max, "N", n)
		}
		return n, Why{}
	case TypeChoice:
		s, ok := v.(string)
		if !ok || !slices.Contains(spec.Choices, s) {
			return nil, because("reason.fact.choice", "应为以下之一："+strings.Join(spec.Choices, "、"), "Choices", strings.Join(spec.Choices, ", "))
		}
		return s, Why{}
	case TypeNames:
		names, ok := toNames(v)
		if !ok {
			return nil, because("reason.fact.names", "应为姓名列表")
		}
		seen := map[string]bool{}
		for _, n := range names {
			switch {
			case n == "":
				return nil, because("reason.fact.name_blank", "含有空白姓名")
			case utf8.RuneCountInString(n) > maxNameRunes:
				return nil, because("reason.fact.name_long", fmt.Sprintf("姓名最长 %d 个字", maxNameRunes), "Max", maxNameRunes)
			case strings.ContainsAny(n, "\x00\r\n"):
				return nil, because("reason.fact.name_lines", "姓名须为一行")
			case seen[n]:
				return nil, because("reason.fact.name_twice", "姓名重复："+n, "Name", n)
			}
			seen[n] = true
		}
		if spec.Min != nil && spec.Max != nil && *spec.Min == *spec.Max && len(names) != *spec.Min {
			return nil, because("reason.fact.names_exact", fmt.Sprintf("须为 %d 人（现 %d 人）", *spec.Min, len(names)), "Min", *spec.Min, "N", len(names))
		}
		if spec.Min != nil && len(names) < *spec.Min {
			return nil, because("reason.fact.names_few", fmt.Sprintf("至少 %d 人（现 %d 人）", *spec.Min, len(names)), "Min", *spec.Min, "N", len(names))
		}
		if spec.Max != nil && len(names) > *spec.Max {
			return nil, because("reason.fact.names_many", fmt.Sprintf("最多 %d 人（现 %d 人）", *spec.Max, len(names)), "Max", *spec.Max, "N", len(names))
		}
		return names, Why{}
	case TypeBool:
		b, ok := v.(bool)
		if !ok {
			return nil, because("reason.fact.bool", "应为是或否（true / false）")
		}
		return b, Why{}
	}
	return nil, because("reason.fact.type", "类型未知")
}

// toInt accepts what a JSON decoder or a Go caller may hand over, as long as
// it is a whole number.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) || math.Abs(n) > 1e9 {
			return 0, false
		}
		return int(n), true
	case int:
		return n, true
	case int64:
		if n > 1e9 || n < -1e9 {
			return 0, false
		}
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		if err != nil || i > 1e9 || i < -1e9 {
			return 0, false
		}
		return int(i), true
	}
	return 0, false
}

func toNames(v any) ([]string, bool) {
	switch l := v.(type) {
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, strings.TrimSpace(s))
		}
		return out, true
	case []string:
		out := make([]string, 0, len(l))
		for _, s := range l {
			out = append(out, strings.TrimSpace(s))
		}
		return out, true
	}
	return nil, false
}
