package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seedling/internal/seedling"
)

// noticeRules loads a province's version that turns the pre-admission
// notice on, through the rules directory as a province would.
func noticeRules(t *testing.T) *RuleSet {
	t.Helper()
	shipped, err := os.ReadFile("../../policies/rules/2014-ruzhou-1.json")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(strings.Replace(string(shipped), `"2014-ruzhou-1"`, `"2020-notice-1"`, 1), `"2014-06-10"`, `"2020-01-01"`, 1)
	own = strings.Replace(own, `"pre_admission_notice": false`, `"pre_admission_notice": true`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notice.json"), []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	rs := r.Version("2020-notice-1")
	if rs == nil || !rs.PreAdmissionNotice {
		t.Fatalf("notice version not loaded: %+v", rs)
	}
	return rs
}

// notice_completed (各省实施细则: 公示不少于 5 个工作日): naming a
// development target and admission need the person's completed notice with
// no open or upheld objection; the shipped Ruzhou version does not ask for
// it.
func TestNoticeCompletedBeforeTargetAndAdmission(t *testing.T) {
	rs := noticeRules(t)
	closed := NoticeState{ClosesOn: day("2027-03-01")}
	cases := []struct {
		name    string
		subject Subject
		to      seedling.Stage
		facts   map[string]any
		notice  *NoticeState
		want    string // "" when the step passes
	}{
		{"target without a notice", activist, seedling.StageTarget, toTargetFacts, nil, "尚未对本人进行"},
		{"target with a completed notice", activist, seedling.StageTarget, toTargetFacts, &closed, ""},
		{"target while the notice runs", activist, seedling.StageTarget, toTargetFacts, &NoticeState{ClosesOn: day("2027-03-05")}, "公示期满之后"},
		{"target with an open objection", activist, seedling.StageTarget, toTargetFacts, &NoticeState{ClosesOn: day("2027-03-01"), Open: 1}, "尚未处理"},
		{"target with an upheld objection", activist, seedling.StageTarget, toTargetFacts, &NoticeState{ClosesOn: day("2027-03-01"), Upheld: 1}, "重新公示"},
		{"admission without a notice", target, seedling.StageProbationary, toProbationaryFacts, nil, "尚未对本人进行"},
		{"admission with a completed notice", target, seedling.StageProbationary, toProbationaryFacts, &NoticeState{ClosesOn: day("2026-05-19")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.subject
			if tc.notice != nil {
				s.Notices = map[seedling.Stage]NoticeState{tc.to: *tc.notice}
			}
			_, err := rs.Check(s, tc.to, "", tc.facts, today)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := asError(t, err)
			if e.Code != seedling.ERule || !strings.Contains(e.Fields["notice_completed"], tc.want) {
				t.Fatalf("want notice_completed %q, got %s %v", tc.want, e.Code, e.Fields)
			}
		})
	}
	// Off in the shipped version: the same step passes without a notice.
	if _, err := Rules2014.Check(activist, seedling.StageTarget, "", toTargetFacts, today); err != nil {
		t.Fatalf("shipped version asks for a notice: %v", err)
	}
	// Only the two steps carry the rule.
	for _, st := range rs.Steps {
		has := false
		for _, r := range st.Rules {
			has = has || r.ID == "notice_completed"
		}
		if want := st.Kind == KindAdvance && (st.To == seedling.StageTarget || st.To == seedling.StageProbationary); has != want {
			t.Errorf("%s→%s: notice rule %v", st.From, st.To, has)
		}
	}
}
