// Package pipeline holds the rules of the way into the party as versioned
// data: which steps a branch may submit from each stage, which facts each step
// records, and which rules must hold before the step goes to the committee.
//
// The national rules come from 《中国共产党发展党员工作细则》 (2014, "细则");
// Ruzhou's local rules (80 points before being named a development target,
// three failed reviews end a candidacy) are parameters of a RuleSet. Rules
// change from time to time, so every RuleSet carries a version, a source and
// the date it takes effect, and a Registry picks the one in force on a date.
//
// The package is pure: no SQL, no HTTP, no clock. Callers pass "today" (see
// seedling.Today) so that every answer can be tested on any date.
package pipeline

import (
	"encoding/json"
	"fmt"
	"time"

	"seedling/internal/seedling"
)

// Fact types a step may ask for. They are also the "type" values of the
// next-steps API, so a form can be built from them.
const (
	TypeDate   = "date"   // "YYYY-MM-DD"
	TypeText   = "text"   // free text; Min/Max bound its length in characters
	TypeInt    = "int"    // whole number; Min/Max bound its value
	TypeChoice = "choice" // one of Choices
	TypeNames  = "names"  // list of person names; Min/Max bound how many
	TypeBool   = "bool"   // yes / no
)

// Step kinds. Most steps advance the stage; extending probation keeps it and
// withdrawing leaves the process. An empty kind in Check matches any kind.
const (
	KindAdvance  = "advance"
	KindExtend   = "extend"
	KindWithdraw = "withdraw"
	// KindCancel cancels a probationary membership (取消预备党员资格).
	KindCancel = "cancel"
)

// Due item kinds and statuses (see Due).
const (
	DueTalk            = "talk_due"
	DueAssessment      = "assessment_due"
	DueProbationEnding = "probation_ending"
	DueDecisionOverdue = "decision_overdue"
	DueDisplay         = "display_due"
	StatusOverdue      = "overdue"
	StatusToday        = "today"
	StatusSoon         = "soon"
)

// Bounds on free input, so that a pasted document cannot become a fact.
const (
	defaultTextMaxRunes = 2000
	maxNameRunes        = 50
)

// RuleSet is one version of the rules. Everything a revision of the national
// rules or of the local plan may change lives here, so that a new version is a
// new value, not new code paths.
type RuleSet struct {
	Version       string
	EffectiveFrom time.Time
	// Source names the documents the rule set follows, in Chinese;
	// SourceEn the same in English.
	Source, SourceEn string

	// MinScore is the Ruzhou threshold (out of 100) for being named a
	// development target (育壮苗: 80 分以上).
	MinScore int
	// MaxFailedReviews is how many returned submissions end a candidacy
	// (留精苗: 三次审核不通过取消入党资格). Zero means no limit.
	MaxFailedReviews int
	// DecisionMonths is how long the upper committee has to decide on a
	// submission before it shows as overdue.
	DecisionMonths int
	// AssessmentMonths is the interval of the branch's assessment of an
	// activist.
	AssessmentMonths int
	// TalkMonths is how soon after an application the branch must talk to the
	// applicant.
	TalkMonths int
	// TrainingMonths is the least time as activist before being named a
	// development target.
	TrainingMonths int
	// ProbationMonths is the length of probation before any extension.
	ProbationMonths int
	// StrikesApplyToProbationary says whether a probationary member's failed
	// reviews count towards MaxFailedReviews. The Ruzhou plan speaks of
	// activists (入党积极分子); a probationary member whose probation fails is
	// dealt with by cancelling the probationary membership (细则 第三十二条).
	StrikesApplyToProbationary bool
	// NoticeWorkingDays is the length of a public notice (公示) in working
	// days.
	NoticeWorkingDays int
	// PreAdmissionNotice: naming a development target and admission each
	// need a completed notice of NoticeWorkingDays working days with no
	// unresolved objection (rule notice_completed). Many provinces require
	// it; a province turns it on in its own rule-set version.
	PreAdmissionNotice bool
	// ExtensionWindowDays is how far from the end of probation the general
	// meeting that extends it may be held (细则 第三十二条: 预备期满时讨论).
	ExtensionWindowDays int
	// ExtensionMinMonths and ExtensionMaxMonths bound an extension of
	// probation (细则 第三十二条: 不能少于半年，最长不超过一年).
	ExtensionMinMonths, ExtensionMaxMonths int
	// LateRecordDays: a fact or entry recorded more than this many days after
	// the date it claims is a late record (补录) that needs a reason.
	LateRecordDays int
	// Checks names the kind of checks (the steps and rules in code) that
	// these numbers parameterise, e.g. "2014".
	Checks string

	// Common rules apply to every step, before the step's own rules.
	Common []Rule
	// Steps lists every submission a branch can make, in process order.
	Steps []Step
}

// Step is one submission the branch makes and the committee approves or
// returns. The committee's decision itself is not a step.
type Step struct {
	From, To seedling.Stage
	Kind     string
	Label    string // zh
	LabelEn  string
	// EffectiveFact names the date fact on which the change takes effect if
	// approved (the branch's decision or general meeting).
	EffectiveFact string
	// EffectiveAtProbationEnd: the change takes effect at the end of
	// probation, not on the meeting's date (细则 第三十二条: 党龄从预备期满转为
	// 正式党员之日算起).
	EffectiveAtProbationEnd bool
	Facts                   []FactSpec
	Rules                   []Rule
	// DecisionFacts are what the committee records when it approves the
	// step (its talk with the person, its own vote); DecisionRules check
	// them, with the branch's facts in view.
	DecisionFacts []FactSpec
	DecisionRules []Rule
}

// FactSpec describes one fact a step records.
type FactSpec struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Label    string   `json:"label"`
	LabelEn  string   `json:"label_en,omitempty"`
	Note     string   `json:"note,omitempty"` // zh: what the branch attests by filling it in
	NoteEn   string   `json:"note_en,omitempty"`
	Choices  []string `json:"choices,omitempty"`
	// ChoiceLabels are the zh labels of Choices, in the same order; pages
	// word a choice by the catalog (facts.choice.<fact>.<choice>).
	ChoiceLabels []string `json:"choice_labels,omitempty"`
	// Min and Max bound an int's value, a list's length or a text's length
	// in characters, when set.
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

// Rule is one condition of a step, with the article it comes from.
type Rule struct {
	ID        string // stable, e.g. "talk_within_month"; the field name of a 422
	Article   string // where the rule comes from
	Message   string // zh: the rule in one sentence
	MessageEn string
	// Check returns the zero Why when the rule holds, else why not, with the
	// numbers and dates involved. A rule whose facts are absent holds: whether
	// a fact is required is the FactSpec's business.
	Check func(e Env) Why
	// Earliest, when set, returns the first date the step's effective date may
	// take under this rule.
	Earliest func(s Subject, rs *RuleSet) (time.Time, bool)
}

// Why is why a rule does not hold: Text in Chinese for logs and the
// command line, Problem its catalog message, which pages and the API word
// in the reader's language. The zero Why says the rule holds.
type Why struct {
	Text string
	seedling.Problem
}

// Broken says the rule does not hold.
func (w Why) Broken() bool { return w.Text != "" }

// because is a refusal worded by the catalog key with name, value pairs;
// text says the same in Chinese for logs.
func because(key, text string, pairs ...any) Why {
	return Why{Text: text, Problem: seedling.Problem{Key: key, Params: seedling.Params(pairs...)}}
}

// Env is what a rule looks at.
type Env struct {
	Subject Subject
	Facts   Facts
	Today   time.Time
	// RecordedOn is the day the branch recorded the submission (today,
	// except when a decision re-checks it).
	RecordedOn time.Time
	Rules      *RuleSet
	Step       *Step
	// Probe is true when NextSteps asks what blocks a step now: the only fact
	// known is the effective date, set to today.
	Probe bool
}

// Subject is what the rules need to know about a candidate.
type Subject struct {
	Stage          seedling.Stage
	AppliedOn      time.Time
	ActivistSince  *time.Time
	StageSince     time.Time
	ProbationSince *time.Time
	// ProbationExtendedMonths is the extension already granted (0 if none).
	ProbationExtendedMonths int
	Score                   int
	// Returned are the candidate's returned submissions; RuleSet.Strikes
	// says which of them are failed reviews.
	Returned     []Review
	Disqualified bool
	// TalkedOn, when known, is the date of the first talk (细则 第七条); it
	// silences the talk_due reminder.
	TalkedOn *time.Time
	// Assessments are the dates of the branch's recorded half-year
	// assessments (每半年考察) at the current stage.
	Assessments []time.Time
	// OathOn is the date of the oath (入党宣誓), once recorded.
	OathOn *time.Time
	// BranchReviewOn and PrereviewOn are the latest branch committee review
	// (支委会审查) and committee pre-review (预审) of the development target.
	BranchReviewOn, PrereviewOn *time.Time
	// PoliticalReview is the latest political review the committee recorded
	// (细则 第十五条), if any.
	PoliticalReview *PoliticalReview
	// Quotas are the development quotas of the nodes above the candidate for
	// the year of the act (only the step to development target reads them).
	Quotas []Quota
	// Notices are the latest pre-admission notice of the person for each
	// step that needs one, by the stage the step leads to.
	Notices map[seedling.Stage]NoticeState
}

// PoliticalReview is the committee's recorded political review (政治审查).
type PoliticalReview struct {
	Passed bool
	On     time.Time
}

// CanRecordPoliticalReview: the political review is of development targets
// (细则 第十五条: 对发展对象进行政治审查). Recording one at another stage is a
// rule saying no, so that a failed one cannot disqualify an applicant.
func CanRecordPoliticalReview(stage seedling.Stage) error {
	if stage != seedling.StageTarget {
		return seedling.FieldProblem(seedling.ERule, "political_review", "problem.political_review_not_target",
			fmt.Sprintf("political review is of development targets; the candidate is at stage %s", stage), "Stage", string(stage))
	}
	return nil
}

// Proposal is a checked submission: the step it takes, the facts in their Go
// types (time.Time, string, int, []string, bool) and the date the change would
// take effect.
type Proposal struct {
	RuleSet     string
	From, To    seedling.Stage
	Kind        string
	Facts       Facts
	EffectiveOn time.Time
}

// FactsJSON returns the facts as they travel in JSON: dates as "YYYY-MM-DD".
func (p Proposal) FactsJSON() map[string]any {
	out := make(map[string]any, len(p.Facts))
	for k, v := range p.Facts {
		if t, ok := v.(time.Time); ok {
			out[k] = t.Format(seedling.DateLayout)
			continue
		}
		out[k] = v
	}
	return out
}

// NextStep is one step possible from the current stage, what it asks for, and
// what blocks it now.
type NextStep struct {
	ToStage    seedling.Stage `json:"to_stage"`
	Kind       string         `json:"kind"`
	Label      string         `json:"label"`
	LabelEn    string         `json:"label_en"`
	Facts      []FactSpec     `json:"facts"`
	BlockedBy  []Blocker      `json:"blocked_by"`
	EarliestOn *time.Time     `json:"earliest_on"`
}

// MarshalJSON writes earliest_on as "YYYY-MM-DD" or null.
func (n NextStep) MarshalJSON() ([]byte, error) {
	type plain NextStep
	out := struct {
		plain
		EarliestOn *string `json:"earliest_on"`
	}{plain: plain(n)}
	if n.EarliestOn != nil {
		s := n.EarliestOn.Format(seedling.DateLayout)
		out.EarliestOn = &s
	}
	if out.BlockedBy == nil {
		out.BlockedBy = []Blocker{}
	}
	if out.Facts == nil {
		out.Facts = []FactSpec{}
	}
	return json.Marshal(out)
}

// Blocker is a rule that forbids a step today. Message and Article are in
// Chinese for the command line; pages and the API word Why and Cite in the
// reader's language instead.
type Blocker struct {
	Rule    string           `json:"rule"`
	Article string           `json:"article,omitempty"`
	Message string           `json:"message"`
	Why     seedling.Problem `json:"-"`
	Cite    seedling.Problem `json:"-"`
}

// DueItem is one deadline for the due list.
type DueItem struct {
	Kind    string    `json:"kind"`
	DueOn   time.Time `json:"due_on"`
	Status  string    `json:"status"`
	Article string    `json:"article,omitempty"`
	// Message says the item in Chinese for the command line; pages and the
	// API word Key with Params in the reader's language instead.
	Message string         `json:"message"`
	Key     string         `json:"-"`
	Params  map[string]any `json:"-"`
}

// MarshalJSON writes due_on as "YYYY-MM-DD".
func (d DueItem) MarshalJSON() ([]byte, error) {
	type plain DueItem
	return json.Marshal(struct {
		plain
		DueOn string `json:"due_on"`
	}{plain: plain(d), DueOn: d.DueOn.Format(seedling.DateLayout)})
}
