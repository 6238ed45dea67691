package pipeline

import (
	"errors"
	"maps"
	"testing"

	"seedling/internal/seedling"
)

// A blocker carries its catalog key and the numbers it quotes, and the
// article it cites in coded form; the Chinese text stays for the command
// line.
func TestBlockerCarriesItsKeyAndParams(t *testing.T) {
	s := activist
	s.Score, s.Assessments = 62, nil
	s.ActivistSince, s.StageSince = dayp("2027-01-10"), day("2027-01-10")
	n := stepTo(t, Rules2014.NextSteps(s, today), seedling.StageTarget, KindAdvance)
	got := map[string]Blocker{}
	for _, b := range n.BlockedBy {
		got[b.Rule] = b
	}
	want := map[string]seedling.Problem{
		"score_threshold":      {Key: "reason.score_threshold", Params: seedling.Params("Score", 62, "Min", 80, "Missing", 18)},
		"training_one_year":    {Key: "reason.training_one_year", Params: seedling.Params("Months", 12, "End", "2028-01-10")},
		"assessed_in_training": {Key: "reason.assessed_in_training", Params: seedling.Params("Need", 2, "Got", 0)},
	}
	for rule, w := range want {
		b, ok := got[rule]
		if !ok || b.Why.Key != w.Key || !maps.Equal(b.Why.Params, w.Params) || b.Message == "" {
			t.Errorf("%s: %+v, want %+v", rule, b, w)
		}
	}
	if c := got["assessed_in_training"].Cite; c.Key != "rule.article" || c.Params["Doc"] != "rules2014" ||
		c.Params["Articles"] != (seedling.Words{Zh: "第十一条、第十三条", En: "11, 13"}) {
		t.Errorf("assessed_in_training cites %+v", c)
	}
}

// A refused proposal names each broken rule's catalog message with its
// values, field by field, and a message quoting a label in both languages
// carries both.
func TestRefusalCarriesKeysByRule(t *testing.T) {
	facts := map[string]any{"talked_on": "2027-06-20", "recommended_by": "members", "decided_on": "2027-06-10", "contacts": []any{"王建国"}}
	_, err := Rules2014.Check(applicant, seedling.StageActivist, "", facts, today)
	var e *seedling.Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v", err)
	}
	later := e.FieldKeys["decided_after_talk"]
	if later.Key != "reason.date_not_before" || later.Params["Later"] != (seedling.Words{Zh: "支部委员会研究决定日期", En: "Date of the branch committee's decision"}) ||
		later.Params["EarlierOn"] != "2027-06-20" {
		t.Errorf("decided_after_talk: %+v", later)
	}
	if future := e.FieldKeys["not_in_future"]; future.Key != "reason.not_in_future" || future.Params["Today"] != "2027-06-15" {
		t.Errorf("not_in_future: %+v", future)
	}
}

// Every rule of every shipped rule set cites its article in coded form,
// so that no citation reaches a reader in the other language.
func TestEveryRuleCitesACodedArticle(t *testing.T) {
	reg, err := LoadRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range reg.All() {
		rules := append([]Rule{}, rs.Common...)
		for _, st := range rs.Steps {
			rules = append(append(rules, st.Rules...), st.DecisionRules...)
		}
		for _, r := range rules {
			if Cite(r.Article).Key == "" {
				t.Errorf("%s: rule %s cites %q, which has no key", rs.Version, r.ID, r.Article)
			}
		}
	}
	for in, want := range map[string]int{"七": 7, "十": 10, "十三": 13, "二十": 20, "三十三": 33, "": 0, "十十": 0, "百": 0} {
		if got := chineseNumber(in); got != want {
			t.Errorf("chineseNumber(%q) = %d, want %d", in, got, want)
		}
	}
}
