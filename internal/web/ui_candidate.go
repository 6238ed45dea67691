package web

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type candidatePage struct {
	Candidate   seedling.Candidate
	IDNumber    string // as the caller may see it (shownIDNumber)
	Score       int
	Threshold   int
	Steps       []pipeline.NextStep
	RulesSource string // the rule set in force, named in the reader's language
	Submissions []postgres.Submission
	Failed      int
	MaxFailed   int
	// StrikesProbationary says whether failed reviews of probationary
	// members count (a parameter of the rule set: the Ruzhou text speaks of
	// activists); the page says so beside the count.
	StrikesProbationary bool
	CanPropose          bool
	CanDecide           bool
	Values              map[string]string // what the user typed, when a proposal was refused
	Chosen              string            // the step whose form was sent
	// Today is the day as the pages write dates: a blocked step's earliest
	// day that has passed is no longer when its form opens.
	Today string
	// FieldErrors says, by input id, why a field of the sent form was
	// refused; Problems lists every reason of the refusal for the summary
	// on top, each linked to its field when it has one.
	FieldErrors map[string]string
	Problems    []formProblem
}

// formProblem is one reason of a refused form: Field is the id of the
// input it is about ("" for a rule of the process as a whole).
type formProblem struct {
	Field, Label, Text string
}

// proposalProblems places each reason of a refused proposal: a fact's
// beside its input in the step's form, in the order of the form, and every
// reason in the summary, so that all of them show at once.
func proposalProblems(steps []pipeline.NextStep, chosen string, de *seedling.Error, en bool) (map[string]string, []formProblem) {
	if de == nil {
		return nil, nil
	}
	if len(de.Fields) == 0 {
		return nil, []formProblem{{Text: de.Message}}
	}
	byID, out, placed := map[string]string{}, []formProblem{}, map[string]bool{}
	for _, st := range steps {
		if string(st.ToStage)+"/"+st.Kind != chosen {
			continue
		}
		for _, f := range st.Facts {
			why, ok := de.Fields["facts."+f.Name]
			if !ok {
				continue
			}
			id := fmt.Sprintf("%s-%s_f_%s", st.ToStage, st.Kind, f.Name)
			if f.Type == pipeline.TypeNames {
				id += "_0"
			}
			byID[id], placed["facts."+f.Name] = why, true
			out = append(out, formProblem{Field: id, Label: pickName(en, f.Label, cmp.Or(f.LabelEn, f.Label)), Text: why})
		}
	}
	rest := slices.Sorted(maps.Keys(de.Fields))
	for _, k := range rest {
		if !placed[k] {
			out = append(out, formProblem{Text: de.Fields[k]})
		}
	}
	return byID, out
}

// candidatePage is one candidate's overview: stage, score, the three-strike
// count, what the next step asks for and what blocks it, and the submissions
// so far. The proposal form is built from the same rules data that
// GET …/next-steps serves.
func (s *Server) candidatePage(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Candidate, authz.Read)
	if err != nil {
		return err
	}
	return s.renderCandidate(c, fiber.StatusOK, cand, nil, nil, "")
}

func (s *Server) renderCandidate(c *fiber.Ctx, status int, cand seedling.Candidate, values map[string]string, formErr *seedling.Error, chosen string) error {
	ctx := c.UserContext()
	subj, err := s.pipelineSubject(ctx, cand)
	if err != nil {
		return err
	}
	rs, today := s.rules()
	subs, err := s.db.Pipeline().Submissions(ctx, postgres.SubmissionFilter{Roots: []string{cand.OrgPath}, CandidateID: cand.ID})
	if err != nil {
		return err
	}
	p := currentSession(c).Principal
	_, proposeErr := s.authz.Check(p, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, authz.Submission, authz.Create)
	_, decideErr := s.authz.Check(p, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, authz.Submission, authz.Decide)
	data := candidatePage{Candidate: cand, IDNumber: s.shownIDNumber(c, cand), Score: subj.Score, Threshold: rs.MinScore, Steps: wordSteps(s.localizer(c), rs.NextSteps(subj, today)),
		RulesSource: rulesSource(rs, requestLanguage(c)),
		Submissions: subs, Failed: rs.Strikes(subj.Returned), MaxFailed: rs.MaxFailedReviews,
		StrikesProbationary: rs.StrikesApplyToProbationary, CanPropose: proposeErr == nil, CanDecide: decideErr == nil, Values: values, Chosen: chosen}
	data.Today = formatDate(today)
	data.FieldErrors, data.Problems = proposalProblems(data.Steps, chosen, formErr, langEn(c))
	return s.renderForm(c, status, "candidate", "candidate.title", data, formErr)
}

// rulesSource names the rule set in language lang.
func rulesSource(rs *pipeline.RuleSet, lang string) string {
	if lang == "en" {
		return rs.SourceEn
	}
	return rs.Source
}

// candidatePropose sends the proposal form. A refusal re-renders the page
// with every broken rule and what was typed.
func (s *Server) candidatePropose(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Submission, authz.Create)
	if err != nil {
		return err
	}
	to, kind := seedling.Stage(c.FormValue("to_stage")), c.FormValue("kind")
	rs, _ := s.rules()
	step, err := rs.StepFrom(cand.Stage, to, kind)
	if err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error {
			return s.renderCandidate(c, statusOf[de.Code], cand, nil, de, "")
		})
	}
	facts, values := factsFromForm(c, step.Facts)
	_, err = s.submit(c.UserContext(), a, cand, submissionRequest{ToStage: to, Kind: kind, Facts: facts})
	if err != nil {
		chosen := string(to) + "/" + kind
		return s.formFailed(c, err, func(de *seedling.Error) error {
			return s.renderCandidate(c, statusOf[de.Code], cand, values, de, chosen)
		})
	}
	return s.redirectWith(c, fmt.Sprintf("/candidates/%d", cand.ID), "flash.submitted")
}

// factsFromForm reads the form fields of a step ("f_<fact>") into the facts
// a JSON client would send, leaving the checking to the rules: a number that
// does not parse is passed on as text so the rules name the field.
func factsFromForm(c *fiber.Ctx, specs []pipeline.FactSpec) (map[string]any, map[string]string) {
	facts, values := map[string]any{}, map[string]string{}
	args := c.Request().PostArgs()
	for _, f := range specs {
		key := "f_" + f.Name
		switch f.Type {
		case pipeline.TypeNames:
			var names []string
			for i, v := range args.PeekMulti(key) {
				n := strings.TrimSpace(string(v))
				values[fmt.Sprintf("%s_%d", key, i)] = n
				if n != "" {
					names = append(names, n)
				}
			}
			if len(names) > 0 {
				facts[f.Name] = names
			}
		case pipeline.TypeBool:
			on := c.FormValue(key) != ""
			facts[f.Name] = on
			if on {
				values[key] = "on"
			}
		case pipeline.TypeInt:
			v := strings.TrimSpace(c.FormValue(key))
			values[key] = v
			if v == "" {
				continue
			}
			if n, err := strconv.Atoi(v); err == nil {
				facts[f.Name] = n
			} else {
				facts[f.Name] = v
			}
		default:
			v := strings.TrimSpace(c.FormValue(key))
			values[key] = v
			if v != "" {
				facts[f.Name] = v
			}
		}
	}
	return facts, values
}

// mePage sends a candidate to their own record.
func (s *Server) mePage(c *fiber.Ctx) error {
	p := currentSession(c).Principal
	if p.CandidateID == nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect(fmt.Sprintf("/candidates/%d", *p.CandidateID), fiber.StatusSeeOther)
}
