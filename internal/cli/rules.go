package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// rulesDir registers --rules-dir: a directory of a province's own rule-set
// files (JSON, as in policies/rules) loaded beside the shipped ones.
func rulesDir(fs *flag.FlagSet, env *environment) *string {
	return fs.String("rules-dir", env.getenv("SEEDLING_RULES_DIR"),
		"directory of extra or replacing rule-set files *.json (env SEEDLING_RULES_DIR)")
}

// rules lists the rule-set versions, or prints one with its numbers, steps
// and the article every rule cites.
func rules(_ context.Context, env *environment, args []string) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	dir := rulesDir(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	reg, err := pipeline.LoadRegistry(*dir)
	if err != nil {
		return err
	}
	w := env.stdout
	if fs.NArg() == 0 {
		for _, rs := range reg.All() {
			fmt.Fprintf(w, "%-16s from %s  %s\n%-16s                 %s\n", rs.Version, rs.EffectiveFrom.Format(seedling.DateLayout), rs.Source, "", rs.SourceEn)
		}
		return nil
	}
	rs := reg.Version(fs.Arg(0))
	if rs == nil {
		return fmt.Errorf("no rule set %q (seedling rules lists them)", fs.Arg(0))
	}
	fmt.Fprintf(w, "version %s, in force from %s, checks %s\nsource: %s\nsource (en): %s\n\n", rs.Version, rs.EffectiveFrom.Format(seedling.DateLayout), rs.Checks, rs.Source, rs.SourceEn)
	for _, p := range [][2]any{
		{"min_score", rs.MinScore}, {"training_months", rs.TrainingMonths}, {"talk_months", rs.TalkMonths},
		{"assessment_months", rs.AssessmentMonths}, {"probation_months", rs.ProbationMonths}, {"decision_months", rs.DecisionMonths},
		{"max_failed_reviews", rs.MaxFailedReviews}, {"strikes_apply_to_probationary", rs.StrikesApplyToProbationary},
		{"notice_working_days", rs.NoticeWorkingDays}, {"extension_window_days", rs.ExtensionWindowDays},
		{"extension_min_months", rs.ExtensionMinMonths}, {"extension_max_months", rs.ExtensionMaxMonths},
		{"late_record_days", rs.LateRecordDays}, {"pre_admission_notice", rs.PreAdmissionNotice},
	} {
		fmt.Fprintf(w, "  %-30s %v\n", p[0], p[1])
	}
	fmt.Fprintln(w, "\nevery step:")
	for _, r := range rs.Common {
		fmt.Fprintf(w, "  %-26s %s — %s\n", r.ID, r.Article, r.Message)
	}
	for _, st := range rs.Steps {
		fmt.Fprintf(w, "\n%s → %s (%s) %s\n", st.From, st.To, st.Kind, st.Label)
		names := make([]string, len(st.Facts))
		for i, f := range st.Facts {
			names[i] = f.Name
		}
		fmt.Fprintf(w, "  facts: %s\n", strings.Join(names, ", "))
		for _, r := range st.Rules {
			fmt.Fprintf(w, "  %-26s %s — %s\n", r.ID, r.Article, r.Message)
		}
		if len(st.DecisionFacts) > 0 {
			names := make([]string, len(st.DecisionFacts))
			for i, f := range st.DecisionFacts {
				names[i] = f.Name
			}
			fmt.Fprintf(w, "  committee's facts on approval: %s\n", strings.Join(names, ", "))
		}
		for _, r := range st.DecisionRules {
			fmt.Fprintf(w, "  %-26s %s — %s\n", r.ID, r.Article, r.Message)
		}
	}
	return nil
}
