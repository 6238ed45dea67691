package pipeline

import (
	"fmt"
	"slices"
	"time"

	"seedling/internal/seedling"
)

var stageNames = map[seedling.Stage]string{
	seedling.StageApplicant:    "入党申请人",
	seedling.StageActivist:     "入党积极分子",
	seedling.StageTarget:       "发展对象",
	seedling.StageProbationary: "预备党员",
	seedling.StageFull:         "正式党员",
	seedling.StageDisqualified: "已取消入党资格",
	seedling.StageWithdrawn:    "本人已撤回",
}

func stageName(s seedling.Stage) string {
	if n, ok := stageNames[s]; ok {
		return n
	}
	return string(s)
}

// From lists the steps possible from a stage, in the rule set's order.
func (rs *RuleSet) From(stage seedling.Stage) []*Step {
	var out []*Step
	for i := range rs.Steps {
		if rs.Steps[i].From == stage {
			out = append(out, &rs.Steps[i])
		}
	}
	return out
}

// Find returns the step from one stage to another; an empty kind matches any
// kind, which is unambiguous in the 2014 rules (the only step that keeps a
// stage is extending probation).
func (rs *RuleSet) Find(from, to seedling.Stage, kind string) (*Step, bool) {
	for _, s := range rs.From(from) {
		if s.To == to && (kind == "" || s.Kind == kind) {
			return s, true
		}
	}
	return nil, false
}

// normalised drops the clock from every date of the subject.
func (c Subject) normalised() Subject {
	c.AppliedOn = dateOf(c.AppliedOn)
	c.StageSince = dateOf(c.StageSince)
	c.ActivistSince = datePtr(c.ActivistSince)
	c.ProbationSince = datePtr(c.ProbationSince)
	c.TalkedOn = datePtr(c.TalkedOn)
	c.OathOn = datePtr(c.OathOn)
	c.BranchReviewOn, c.PrereviewOn = datePtr(c.BranchReviewOn), datePtr(c.PrereviewOn)
	days := make([]time.Time, len(c.Assessments))
	for i, d := range c.Assessments {
		days[i] = dateOf(d)
	}
	c.Assessments = days
	return c
}

// Check validates a proposed step: first the facts' types (EInvalid, one field
// "facts.<name>" per malformed fact), then, in one ERule, every missing fact
// ("facts.<name>") and every broken rule (one field per rule ID), all at once
// so the branch can fix everything in one go.
// A step that does not exist from the current stage is an ERule on
// "to_stage".
func (rs *RuleSet) Check(c Subject, to seedling.Stage, kind string, facts map[string]any, today time.Time) (Proposal, error) {
	return rs.check(c, to, kind, facts, today, today)
}

// check is Check with the day the submission was recorded apart from today:
// a re-check at the decision judges lateness (补录) by the day the branch
// recorded it, not by the day the committee decides.
func (rs *RuleSet) check(c Subject, to seedling.Stage, kind string, facts map[string]any, today, recordedOn time.Time) (Proposal, error) {
	c = c.normalised()
	today, recordedOn = dateOf(today), dateOf(recordedOn)
	step, err := rs.stepFor(c, to, kind)
	if err != nil {
		return Proposal{}, err
	}
	f, missing, err := normalise(step.Facts, facts)
	if err != nil {
		return Proposal{}, err
	}
	env := Env{Subject: c, Facts: f, Today: today, RecordedOn: recordedOn, Rules: rs, Step: step}
	p := seedling.NewProblems(seedling.ERule)
	for _, m := range missing {
		p.AddProblem(m.Field, m.Why.Problem, m.Why.Text)
	}
	for _, r := range rs.rulesOf(step) {
		if why := r.Check(env); why.Broken() {
			p.AddProblem(r.ID, why.Problem, why.Text)
		}
	}
	if err := p.Err(); err != nil {
		return Proposal{}, err
	}
	eff, _ := f.Date(step.EffectiveFact)
	if step.EffectiveAtProbationEnd {
		if end, ok := rs.probationEnd(c); ok {
			eff = end
		}
	}
	return Proposal{
		RuleSet:     rs.Version,
		From:        c.Stage,
		To:          step.To,
		Kind:        step.Kind,
		Facts:       f,
		EffectiveOn: eff,
	}, nil
}

// stageProblem explains why no step leads from the subject's stage to to, or
// returns "".
func (rs *RuleSet) stageProblem(c Subject, to seedling.Stage, kind string) error {
	from := c.Stage
	refuse := func(key, text string, pairs ...any) error {
		return seedling.FieldProblem(seedling.ERule, "to_stage", key, text, pairs...)
	}
	switch {
	case !from.Valid():
		return refuse("problem.step_stage_unknown", "当前阶段未知："+string(from))
	case c.Disqualified && from != seedling.StageDisqualified:
		return refuse("problem.step_disqualified", "已取消入党资格，不能再提交")
	case from.Final():
		return refuse("problem.step_final", fmt.Sprintf("当前为“%s”，流程已结束，不能再变更阶段", stageName(from)), "Stage", string(from))
	}
	if _, ok := rs.Find(from, to, kind); ok {
		return nil
	}
	// Say which step comes next, so that a skipped stage reads as such.
	for _, s := range rs.From(from) {
		if s.Kind == KindAdvance {
			return refuse("problem.step_next", fmt.Sprintf("不能从“%s”到“%s”：下一步只能是“%s”", stageName(from), stageName(to), stageName(s.To)),
				"From", string(from), "To", string(to), "Stage", string(s.To))
		}
	}
	return refuse("problem.step_impossible", fmt.Sprintf("不能从“%s”到“%s”", stageName(from), stageName(to)), "From", string(from), "To", string(to))
}

// stepFor is the step a proposal takes from the subject's stage, or why
// there is none: an unknown stage or kind is bad input, a step the process
// does not allow from here a rule saying no.
func (rs *RuleSet) stepFor(c Subject, to seedling.Stage, kind string) (*Step, error) {
	if !to.Valid() {
		return nil, seedling.FieldProblem(seedling.EInvalid, "to_stage", "problem.stage_unknown", "未知阶段："+string(to))
	}
	switch kind {
	case "", KindAdvance, KindExtend, KindWithdraw, KindCancel:
	default:
		return nil, seedling.FieldProblem(seedling.EInvalid, "kind", "problem.step_kind_unknown", "未知步骤类型："+kind)
	}
	if err := rs.stageProblem(c, to, kind); err != nil {
		return nil, err
	}
	step, _ := rs.Find(c.Stage, to, kind)
	return step, nil
}

// StepFrom is the step from stage from to stage to of the given kind, or
// the coded reason the process allows none: what a form asks before it
// reads the step's facts.
func (rs *RuleSet) StepFrom(from, to seedling.Stage, kind string) (*Step, error) {
	return rs.stepFor(Subject{Stage: from}, to, kind)
}

// rulesOf lists the common rules, then the step's own.
func (rs *RuleSet) rulesOf(step *Step) []Rule {
	out := make([]Rule, 0, len(rs.Common)+len(step.Rules))
	out = append(out, rs.Common...)
	return append(out, step.Rules...)
}

// NextSteps lists every step possible from the subject's stage with the facts
// it asks for, what blocks it today and the first date the time rules allow.
// A finished or disqualified candidate has none.
func (rs *RuleSet) NextSteps(c Subject, today time.Time) []NextStep {
	c = c.normalised()
	today = dateOf(today)
	out := []NextStep{}
	if c.Disqualified || c.Stage.Final() || !c.Stage.Valid() {
		return out
	}
	for _, step := range rs.From(c.Stage) {
		n := NextStep{
			ToStage:   step.To,
			Kind:      step.Kind,
			Label:     step.Label,
			LabelEn:   step.LabelEn,
			Facts:     slices.Clone(step.Facts),
			BlockedBy: []Blocker{},
		}
		// Probe with the effective date set to today: a time rule then says
		// whether the step could be dated today, and rules that need other
		// facts hold until those facts are known.
		env := Env{Subject: c, Facts: Facts{step.EffectiveFact: today}, Today: today, RecordedOn: today, Rules: rs, Step: step, Probe: true}
		for _, r := range rs.rulesOf(step) {
			if why := r.Check(env); why.Broken() {
				n.BlockedBy = append(n.BlockedBy, Blocker{Rule: r.ID, Article: r.Article, Message: why.Text, Why: why.Problem, Cite: Cite(r.Article)})
			}
			if r.Earliest == nil {
				continue
			}
			if e, ok := r.Earliest(c, rs); ok && (n.EarliestOn == nil || e.After(*n.EarliestOn)) {
				e := e
				n.EarliestOn = &e
			}
		}
		out = append(out, n)
	}
	return out
}
