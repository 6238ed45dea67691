package ledger

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"seedling/internal/seedling"
)

// PeriodSum is the net points of one quarter in one dimension, as SQL sums
// them over the ledger (reversals included, so a reversed entry counts 0).
type PeriodSum struct {
	Period    string `json:"period"`
	Dimension string `json:"dimension"`
	Points    int    `json:"points"`
}

// CategorySum is the net points of one quarter in one category, as SQL sums
// them straight off the ledger's covering index; ByDimension maps them onto
// the rubric's dimensions.
type CategorySum struct {
	Period   string `json:"period"`
	Category string `json:"category"`
	Points   int    `json:"points"`
}

// ByDimension maps category sums onto dimensions by the rubric version in
// force for each sum's quarter, in (period, dimension) order. A category the
// version does not name counts for nothing, and a period that is no period
// is dropped: the ledger's own checks keep both from being recorded.
func (rs Rubrics) ByDimension(sums []CategorySum) []PeriodSum {
	return rs.DimensionMap().Sums(sums)
}

// DimensionMap is ByDimension for many people at once: it remembers the
// dimension of each (quarter, category) it has met, so that a committee's
// hundreds of thousands of sums cost a lookup each.
func (rs Rubrics) DimensionMap() *DimensionMap {
	return &DimensionMap{rubrics: rs, dims: map[[2]string]string{}}
}

// DimensionMap maps category sums onto dimensions; see Rubrics.DimensionMap.
type DimensionMap struct {
	rubrics Rubrics
	dims    map[[2]string]string // "" for a category the version does not name
}

// Sums maps one person's category sums, as ByDimension does.
func (m *DimensionMap) Sums(sums []CategorySum) []PeriodSum {
	out := make([]PeriodSum, 0, len(sums))
	for _, s := range sums {
		k := [2]string{s.Period, s.Category}
		dim, seen := m.dims[k]
		if !seen {
			if p, err := ParsePeriod(s.Period); err == nil {
				r, _ := m.rubrics.InForce(p)
				if c, ok := r.Category(s.Category); ok {
					dim = c.Dimension
				}
			}
			m.dims[k] = dim
		}
		if dim == "" {
			continue
		}
		i := slices.IndexFunc(out, func(x PeriodSum) bool { return x.Period == s.Period && x.Dimension == dim })
		if i < 0 {
			out = append(out, PeriodSum{Period: s.Period, Dimension: dim})
			i = len(out) - 1
		}
		out[i].Points += s.Points
	}
	slices.SortFunc(out, func(a, b PeriodSum) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.Dimension, b.Dimension))
	})
	return out
}

// DimensionScore is the points of one dimension against its cap.
type DimensionScore struct {
	Code   string
	NameZh string
	NameEn string
	Points int
	Cap    int
}

// PeriodScore is one quarter scored under the rubric in force for it.
type PeriodScore struct {
	Period     string
	Version    int
	Dimensions []DimensionScore
	Total      int
}

// Score is a candidate's standing.
type Score struct {
	Total      int
	Dimensions []DimensionScore
	Periods    []PeriodScore
	Version    int // the version whose caps bound the cumulative score
}

// Full reports whether the dimension code is at its cap in the cumulative
// score: a further entry in it would not count.
func (s Score) Full(code string) bool {
	for _, d := range s.Dimensions {
		if d.Code == code {
			return d.Points >= d.Cap
		}
	}
	return false
}

// Compute scores a candidate from their quarterly sums.
//
// How scores are computed (the pages repeat this in words):
//  1. Each quarter is scored under the rubric in force for it: the net points
//     of each dimension are capped at that version's cap. Deductions are not
//     floored per quarter, so a deduction always counts.
//  2. The cumulative score of a dimension is the sum over all quarters,
//     bounded to 0..cap by the rubric in force for the quarter asOf (today's):
//     a lowered cap applies to everyone at once and nobody keeps points above
//     it; a raised cap does not revive points cut off in an earlier quarter.
//  3. The total is the sum of the dimensions, capped at 100.
func Compute(sums []PeriodSum, rubrics Rubrics, asOf Period) Score {
	current, ok := rubrics.InForce(asOf)
	if !ok {
		return Score{}
	}
	byPeriod := map[string]map[string]int{}
	for _, s := range sums {
		if byPeriod[s.Period] == nil {
			byPeriod[s.Period] = map[string]int{}
		}
		byPeriod[s.Period][s.Dimension] += s.Points
	}
	periods := make([]string, 0, len(byPeriod))
	for p := range byPeriod {
		periods = append(periods, p)
	}
	sort.Strings(periods)

	out := Score{Version: current.Version}
	cumulative := map[string]int{}
	for _, ps := range periods {
		p, err := ParsePeriod(ps)
		if err != nil {
			continue
		}
		r, _ := rubrics.InForce(p)
		score := PeriodScore{Period: ps, Version: r.Version}
		for _, d := range r.Dimensions {
			v := min(byPeriod[ps][d.Code], d.Cap)
			cumulative[d.Code] += v
			score.Dimensions = append(score.Dimensions, DimensionScore{Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Points: v, Cap: d.Cap})
			score.Total += v
		}
		score.Total = min(score.Total, MaxTotal)
		out.Periods = append(out.Periods, score)
	}
	for _, d := range current.Dimensions {
		v := max(0, min(cumulative[d.Code], d.Cap))
		out.Dimensions = append(out.Dimensions, DimensionScore{Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Points: v, Cap: d.Cap})
		out.Total += v
	}
	out.Total = min(out.Total, MaxTotal)
	return out
}

// Door is the part of the rules in force that opens the way to being named
// a development target: the score and the training period. It comes from the
// rule set (pipeline.RuleSet.Door), the one source of both numbers, so that
// the ledger's pages and the committee's checks cannot disagree.
type Door struct {
	MinScore       int // 育壮苗: 80 分以上
	TrainingMonths int // 细则 第十三条: 一年以上培养教育和考察
}

// TrainingEnd is the first day the training period allows the naming,
// counted as every time rule counts months (seedling.AddMonths).
func (d Door) TrainingEnd(activistSince time.Time) time.Time {
	return seedling.AddMonths(activistSince, d.TrainingMonths)
}

// Reason codes of an unmet condition.
const (
	ReasonPoints       = "points"       // the score is below the threshold
	ReasonTraining     = "training"     // the training year has not ended
	ReasonNotActivist  = "not_activist" // still an applicant
	ReasonPastStage    = "past_stage"   // already a target or beyond
	ReasonDisqualified = "disqualified" // 取消入党资格
	ReasonWithdrawn    = "withdrawn"    // withdrew
)

// Reason is one unmet condition, with what a person needs to read it.
type Reason struct {
	Code    string
	Missing int            // points still missing
	Until   time.Time      // when the training year ends
	Stage   seedling.Stage // the stage in the way
}

var stageZh = map[seedling.Stage]string{
	seedling.StageTarget: "已列为发展对象", seedling.StageProbationary: "已是预备党员", seedling.StageFull: "已是正式党员",
}

// Zh says the reason in Chinese, as the examples of the plan do: "还差6分",
// "培养期至2027-03-01届满".
func (r Reason) Zh() string {
	switch r.Code {
	case ReasonPoints:
		return fmt.Sprintf("还差%d分", r.Missing)
	case ReasonTraining:
		return fmt.Sprintf("培养期至%s届满", r.Until.Format(seedling.DateLayout))
	case ReasonNotActivist:
		return "尚未列为入党积极分子"
	case ReasonPastStage:
		return stageZh[r.Stage]
	case ReasonDisqualified:
		return "已取消入党资格"
	case ReasonWithdrawn:
		return "已撤回入党申请"
	}
	return r.Code
}

// En says the reason in English.
func (r Reason) En() string {
	switch r.Code {
	case ReasonPoints:
		return fmt.Sprintf("needs %d more points", r.Missing)
	case ReasonTraining:
		return "training period ends " + r.Until.Format(seedling.DateLayout)
	case ReasonNotActivist:
		return "not yet an activist"
	case ReasonPastStage:
		return "already " + string(r.Stage)
	case ReasonDisqualified:
		return "disqualified"
	case ReasonWithdrawn:
		return "withdrew"
	}
	return r.Code
}

// Eligibility says whether an activist may be named a development target,
// and if not, every reason why.
type Eligibility struct {
	Eligible bool
	Reasons  []Reason
}

// PastStage reports that the door is behind the person (a development
// target or beyond): there is nothing missing to show, only the stage.
func (e Eligibility) PastStage() bool {
	return len(e.Reasons) == 1 && e.Reasons[0].Code == ReasonPastStage
}

// Assess applies the door: score ≥ MinScore AND the training period since becoming
// an activist AND not disqualified. It is asked of activists; for anyone at
// another stage the stage itself is the reason (an applicant also sees the
// points still missing, since those carry over once they become activists).
func Assess(total int, subj Subject, today time.Time, door Door) Eligibility {
	var rs []Reason
	switch subj.Stage {
	case seedling.StageDisqualified:
		return Eligibility{Reasons: []Reason{{Code: ReasonDisqualified, Stage: subj.Stage}}}
	case seedling.StageWithdrawn:
		return Eligibility{Reasons: []Reason{{Code: ReasonWithdrawn, Stage: subj.Stage}}}
	case seedling.StageTarget, seedling.StageProbationary, seedling.StageFull:
		return Eligibility{Reasons: []Reason{{Code: ReasonPastStage, Stage: subj.Stage}}}
	case seedling.StageApplicant:
		rs = append(rs, Reason{Code: ReasonNotActivist, Stage: subj.Stage})
	}
	if total < door.MinScore {
		rs = append(rs, Reason{Code: ReasonPoints, Missing: door.MinScore - total})
	}
	if subj.Stage == seedling.StageActivist {
		if subj.ActivistSince == nil {
			rs = append(rs, Reason{Code: ReasonNotActivist, Stage: subj.Stage})
		} else if until := door.TrainingEnd(*subj.ActivistSince); until.After(today) {
			rs = append(rs, Reason{Code: ReasonTraining, Until: until})
		}
	}
	return Eligibility{Eligible: len(rs) == 0, Reasons: rs}
}

// CheckCounted refuses an entry whose points would not all count toward
// the score, as Compute counts them: its dimension is already at its cap
// for the quarter or in all, or the total is at 100. Deductions always
// count. A form asks this before booking and books on confirmation; the
// refusal says how many points would not count.
func CheckCounted(sums []PeriodSum, rubrics Rubrics, asOf Period, v Valid) error {
	if v.Points <= 0 {
		return nil
	}
	before := Compute(sums, rubrics, asOf).Total
	with := append(slices.Clone(sums), PeriodSum{Period: v.Period.String(), Dimension: v.Category.Dimension, Points: v.Points})
	lost := v.Points - (Compute(with, rubrics, asOf).Total - before)
	if lost <= 0 {
		return nil
	}
	dim := Dimension{Code: v.Category.Dimension}
	if r, ok := rubrics.InForce(v.Period); ok {
		dim, _ = r.Dimension(v.Category.Dimension)
	}
	return seedling.FieldProblem(seedling.EConflict, "points", "problem.dimension_full",
		fmt.Sprintf("%d of the %d points would not count: dimension %s is at its cap of %d", lost, v.Points, dim.Code, dim.Cap),
		"Cap", dim.Cap, "Points", v.Points, "Lost", lost)
}
