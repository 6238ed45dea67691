package pipeline

import (
	"fmt"
	"time"

	"seedling/internal/seedling"
)

// checks2014 builds the steps and rules of 《中国共产党发展党员工作细则》
// (issued by the General Office of the CPC Central Committee on 10 June 2014)
// into a rule set whose numbers come from its data file
// (policies/rules/*.json, "checks": "2014"), with the Ruzhou seedling plan's
// local rules as parameters.
//
// Article numbers follow the published text of the 细则: 第七条 talk, 第八条
// naming activists, 第九条 training contacts, 第十一条 half-year assessment,
// 第十三条 naming development targets, 第十四条 introducers, 第十五、十六条
// political review, 第十七条 centralised training, 第十九条 pre-review, 第二十条
// quorum, 第二十一条 vote, 第三十二条 probation and its extension, 第三十三条
// conversion procedure. Where a number is not certain, the chapter is named
// instead.
func checks2014(rs *RuleSet) {
	rs.Common = []Rule{
		ruleStrikesLeft(),
		ruleNotInFuture(),
		ruleAfterStageStart(),
		ruleLateRecord(),
	}
	rs.Steps = []Step{
		// 入党申请人 → 入党积极分子. The four fact names are fixed by the API
		// contract: other tools fill them in.
		{
			From: seedling.StageApplicant, To: seedling.StageActivist, Kind: KindAdvance,
			Label: "确定为入党积极分子", LabelEn: "Name as activist",
			EffectiveFact: "decided_on",
			Facts: []FactSpec{
				{Name: "talked_on", Type: TypeDate, Required: true,
					Label: "谈话日期", LabelEn: "Date of the talk with the applicant",
					Note:   "党组织收到入党申请书后一个月内派人谈话（细则 第七条）",
					NoteEn: "Someone talks with the applicant within a month of the application (Rules (2014), Art. 7)"},
				{Name: "recommended_by", Type: TypeChoice, Required: true,
					Label: "推荐方式", LabelEn: "Recommended by",
					Choices: []string{"members", "mass_org"}, ChoiceLabels: []string{"党员推荐", "群团组织推优"},
					Note:   "采取党员推荐、群团组织推优等方式产生人选（细则 第八条）",
					NoteEn: "Candidates are put forward by party members or by mass organisations (Rules (2014), Art. 8)"},
				{Name: "decided_on", Type: TypeDate, Required: true,
					Label: "支部委员会研究决定日期", LabelEn: "Date of the branch committee's decision",
					Note:   "由支部委员会（不设支部委员会的由支部大会）研究决定，并报上级党委备案（细则 第八条）",
					NoteEn: "Decided by the branch committee (or the general meeting where there is none) and reported to the upper committee (Rules (2014), Art. 8)"},
				// Whether a contact is a full member cannot be checked from a
				// name: the branch attests it by submitting.
				{Name: "contacts", Type: TypeNames, Required: true, Min: intp(1), Max: intp(2),
					Label: "培养联系人", LabelEn: "Training contacts",
					Note:   "一至两名正式党员，由支部确认其为正式党员（细则 第九条）",
					NoteEn: "One or two full members; the branch attests that they are full members (Rules (2014), Art. 9)"},
			},
			Rules: []Rule{
				{
					ID: "talk_after_application", Article: "细则 第七条",
					Message: "谈话须在收到入党申请书之后", MessageEn: "The talk follows the application",
					Check: func(e Env) Why {
						t, ok := e.Facts.Date("talked_on")
						applied := e.Subject.AppliedOn
						if ok && !applied.IsZero() && t.Before(applied) {
							return because("reason.talk_after_application", fmt.Sprintf("谈话日期 %s 早于申请日期 %s", fmtDate(t), fmtDate(applied)), "Talked", fmtDate(t), "Applied", fmtDate(applied))
						}
						return Why{}
					},
				},
				{
					ID: "talk_within_month", Article: "细则 第七条",
					Message:   "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话",
					MessageEn: "The branch talks with the applicant within one month of the application",
					Check: func(e Env) Why {
						t, ok := e.Facts.Date("talked_on")
						applied := e.Subject.AppliedOn
						if !ok || applied.IsZero() {
							return Why{}
						}
						n := orDefault(e.Rules.TalkMonths, 1)
						if due := seedling.AddMonths(applied, n); t.After(due) {
							return because("reason.talk_within_month", fmt.Sprintf("谈话日期 %s 超过申请后%s（申请 %s，应不晚于 %s）", fmtDate(t), monthsPhrase(n), fmtDate(applied), fmtDate(due)), "Talked", fmtDate(t), "Months", n, "Applied", fmtDate(applied), "Due", fmtDate(due))
						}
						return Why{}
					},
				},
				dateNotBefore("decided_after_talk", "细则 第七条、第八条", "decided_on", "talked_on",
					"确定入党积极分子须在谈话之后", "The decision follows the talk"),
			},
		},

		// 入党积极分子 → 发展对象.
		{
			From: seedling.StageActivist, To: seedling.StageTarget, Kind: KindAdvance,
			Label: "列为发展对象", LabelEn: "Name as development target",
			EffectiveFact: "decided_on",
			Facts: []FactSpec{
				{Name: "decided_on", Type: TypeDate, Required: true,
					Label: "支部委员会讨论同意日期", LabelEn: "Date of the branch committee's decision",
					Note:   "支部委员会讨论同意并报上级党委备案（细则 第十三条）",
					NoteEn: "Agreed by the branch committee and reported to the upper committee (Rules (2014), Art. 13)"},
				{Name: "opinions_heard", Type: TypeBool, Required: true,
					Label: "已听取党小组、培养联系人、党员和群众意见", LabelEn: "Opinions of the party group, contacts, members and the public heard"},
				{Name: "opinions_summary", Type: TypeText, Max: intp(2000),
					Label: "意见摘要", LabelEn: "Summary of the opinions"},
			},
			Rules: []Rule{
				// First, so that a branch out of places hears so first.
				ruleQuotaLeft(),
				ruleAssessedInTraining(),
				{
					ID: "training_one_year", Article: "细则 第十三条",
					Message:   "经过一年以上培养教育和考察，方可列为发展对象",
					MessageEn: "At least one year of training as activist before being named a target",
					Check: func(e Env) Why {
						d, ok := e.Facts.Date("decided_on")
						if !ok {
							return Why{}
						}
						end, known := e.Rules.trainingEnd(e.Subject)
						if !known {
							return because("reason.training_unknown", "未记录确定为入党积极分子的日期，无法核对培养期")
						}
						if d.Before(end) {
							return because("reason.training_one_year", fmt.Sprintf("培养期未满%s：%s 届满", monthsPhrase(orDefault(e.Rules.TrainingMonths, 12)), fmtDate(end)), "Months", orDefault(e.Rules.TrainingMonths, 12), "End", fmtDate(end))
						}
						return Why{}
					},
					Earliest: func(s Subject, rs *RuleSet) (time.Time, bool) { return rs.trainingEnd(s) },
				},
				{
					ID: "score_threshold", Article: "汝州市育苗计划（育壮苗：百分制量化考核 80 分以上可列为发展对象）",
					Message:   "量化考核积分达到规定分数，方可列为发展对象",
					MessageEn: "The assessment score must reach the threshold",
					Check: func(e Env) Why {
						need, got := e.Rules.MinScore, e.Subject.Score
						if got < need {
							return because("reason.score_threshold", fmt.Sprintf("积分 %d 分，未达到 %d 分，还差 %d 分", got, need, need-got), "Score", got, "Min", need, "Missing", need-got)
						}
						return Why{}
					},
				},
				{
					ID: "opinions_heard", Article: "细则 第十三条",
					Message:   "须在听取党小组、培养联系人、党员和群众意见的基础上列为发展对象",
					MessageEn: "Opinions must be heard before naming a target",
					Check: func(e Env) Why {
						if heard, ok := e.Facts.Bool("opinions_heard"); ok && !heard {
							return because("reason.opinions_not_heard", "尚未听取党小组、培养联系人、党员和群众意见")
						}
						return Why{}
					},
				},
			},
		},

		// 发展对象 → 预备党员: introducers, political review, training,
		// pre-review, then the general meeting.
		{
			From: seedling.StageTarget, To: seedling.StageProbationary, Kind: KindAdvance,
			Label: "接收为预备党员", LabelEn: "Admit as probationary member",
			EffectiveFact: "meeting_on",
			Facts: concat([]FactSpec{
				{Name: "introducers", Type: TypeNames, Required: true, Min: intp(2), Max: intp(2),
					Label: "入党介绍人", LabelEn: "Introducers",
					Note:   "两名正式党员；受留党察看处分、尚未恢复党员权利的不能作介绍人；由支部确认（细则 第十四条）",
					NoteEn: "Two full members; a member on probation within the party whose rights are not restored cannot introduce; the branch attests it (Rules (2014), Art. 14)"},
				{Name: "training_days", Type: TypeInt, Min: intp(0), Max: intp(365),
					Label: "集中培训天数", LabelEn: "Days of centralised training"},
				{Name: "training_hours", Type: TypeInt, Min: intp(0), Max: intp(5000),
					Label: "集中培训学时", LabelEn: "Class hours of centralised training"},
				{Name: "form_issued_on", Type: TypeDate, Required: true,
					Label: "发放入党志愿书日期", LabelEn: "Date the application form was issued",
					Note:   "经预审合格的，发放《中国共产党入党志愿书》（细则 第十九条）",
					NoteEn: "Once the pre-review is passed, the application form is issued (Rules (2014), Art. 19)"},
				{Name: "form_filled_on", Type: TypeDate, Required: true,
					Label: "本人填写入党志愿书日期", LabelEn: "Date the application form was filled in",
					Note:   "由发展对象本人填写入党志愿书（细则 第二十条）",
					NoteEn: "The development target fills in the application form in person (Rules (2014), Art. 20)"},
			}, meetingFacts),
			Rules: concat(
				[]Rule{
					{
						ID: "political_review", Article: "细则 第十五条、第十六条",
						Message:   "凡是未经政治审查或政治审查不合格的，不能发展入党；政治审查由党委记录，须在支部大会之前",
						MessageEn: "No admission without a passed political review recorded by the committee before the general meeting",
						Check: func(e Env) Why {
							r := e.Subject.PoliticalReview
							switch {
							case r == nil:
								return because("reason.political_review_missing", "党委尚未记录该发展对象的政治审查结论")
							case !r.Passed:
								return because("reason.political_review_failed", "政治审查不合格的不能发展入党")
							}
							if m, ok := e.Facts.Date("meeting_on"); ok && !e.Probe && r.On.After(m) {
								return because("reason.political_review_late", fmt.Sprintf("政治审查 %s 晚于支部大会 %s", fmtDate(r.On), fmtDate(m)), "Reviewed", fmtDate(r.On), "Meeting", fmtDate(m))
							}
							return Why{}
						},
					},
					{
						ID: "central_training", Article: "细则 第十七条",
						Message:   "发展对象须经短期集中培训，一般不少于三天或二十四个学时",
						MessageEn: "Centralised training of at least 3 days or 24 class hours",
						Check: func(e Env) Why {
							if e.Probe {
								return Why{}
							}
							days, hasDays := e.Facts.Int("training_days")
							hours, hasHours := e.Facts.Int("training_hours")
							if days >= 3 || hours >= 24 {
								return Why{}
							}
							if !hasDays && !hasHours {
								return because("reason.training_missing", "未填写集中培训天数或学时（须不少于 3 天或 24 学时）")
							}
							return because("reason.training_short", fmt.Sprintf("集中培训 %d 天、%d 学时，不足 3 天或 24 学时", days, hours), "Days", days, "Hours", hours)
						},
					},
					{
						ID: "reviewed_and_prereviewed", Article: "细则 第十八条、第十九条",
						Message:   "支部委员会审查、基层党委预审合格后，方可发放入党志愿书",
						MessageEn: "The branch committee's review and the committee's pre-review precede the application form",
						Check: func(e Env) Why {
							switch s := e.Subject; {
							case s.BranchReviewOn == nil:
								return because("reason.branch_review_missing", "支部委员会尚未记录对发展对象的审查")
							case s.PrereviewOn == nil:
								return because("reason.prereview_missing", "基层党委尚未记录预审")
							}
							if d, ok := e.Facts.Date("form_issued_on"); ok && d.Before(*e.Subject.PrereviewOn) {
								return because("reason.form_before_prereview", fmt.Sprintf("发放入党志愿书日期 %s 早于党委预审 %s", fmtDate(d), fmtDate(*e.Subject.PrereviewOn)), "Issued", fmtDate(d), "Prereview", fmtDate(*e.Subject.PrereviewOn))
							}
							return Why{}
						},
					},
					dateNotBefore("form_filled_after_issued", "细则 第二十条", "form_filled_on", "form_issued_on",
						"入党志愿书在发放之后填写", "The form is filled in after it is issued"),
					dateNotBefore("meeting_after_form", "细则 第二十条", "meeting_on", "form_filled_on",
						"支部大会讨论在填写入党志愿书之后", "The general meeting follows the filled-in form"),
				},
				meetingRules("细则 第二十条", "细则 第二十一条"),
			),
			DecisionFacts: committeeDecisionFacts,
			DecisionRules: committeeDecisionRules(),
		},

		// 预备党员 → 正式党员.
		{
			From: seedling.StageProbationary, To: seedling.StageFull, Kind: KindAdvance,
			Label: "预备党员转为正式党员", LabelEn: "Admit to full membership",
			EffectiveFact: "meeting_on", EffectiveAtProbationEnd: true,
			Facts: concat(meetingFacts, []FactSpec{
				{Name: "assessment", Type: TypeText, Required: true, Max: intp(2000),
					Label: "预备期考察意见", LabelEn: "Assessment over the probation"},
				{Name: "applied_on", Type: TypeDate, Required: true,
					Label: "本人提出书面转正申请日期", LabelEn: "Date of the written application for full membership",
					Note:   "预备期满，本人应当主动向党组织提出书面转正申请（细则 第三十三条）",
					NoteEn: "When probation ends, the member applies in writing for full membership (Rules (2014), Art. 33)"},
				{Name: "group_opinion", Type: TypeText, Required: true, Min: intp(2), Max: intp(2000),
					Label: "党小组意见", LabelEn: "Opinion of the party group"},
				{Name: "masses_opinion", Type: TypeText, Required: true, Min: intp(2), Max: intp(2000),
					Label: "党员和群众意见", LabelEn: "Opinions of party members and the masses"},
			}),
			Rules: concat(
				[]Rule{
					dateNotBefore("meeting_after_application", "细则 第三十三条", "meeting_on", "applied_on",
						"支部大会在本人提出书面转正申请之后讨论", "The meeting follows the written application"),
					{
						ID: "probation_one_year", Article: "细则 第三十二条",
						Message:   "预备期为一年，从支部大会通过其为预备党员之日算起；期满方可讨论转正",
						MessageEn: "Probation lasts one year (plus any extension) from the general meeting",
						Check: func(e Env) Why {
							d, ok := e.Facts.Date("meeting_on")
							if !ok {
								return Why{}
							}
							end, known := e.Rules.probationEnd(e.Subject)
							if !known {
								return because("reason.probation_unknown", "未记录预备期起始日期，无法核对预备期")
							}
							if !d.Before(end) {
								return Why{}
							}
							if ext := e.Subject.ProbationExtendedMonths; ext > 0 {
								return because("reason.probation_extended_running", fmt.Sprintf("预备期（含延长 %d 个月）未满：%s 届满", ext, fmtDate(end)), "Months", ext, "End", fmtDate(end))
							}
							return because("reason.probation_running", fmt.Sprintf("预备期未满：%s 届满", fmtDate(end)), "End", fmtDate(end))
						},
						Earliest: func(s Subject, rs *RuleSet) (time.Time, bool) { return rs.probationEnd(s) },
					},
				},
				// 第三十三条: the conversion meeting has the same attendance and
				// vote requirements as the admission meeting.
				meetingRules("细则 第二十条、第三十三条", "细则 第二十一条、第三十三条"),
			),
		},

		// 延长预备期: once, by six months to one year (细则 第三十二条). The
		// stage stays probationary; the approved months are added to
		// Subject.ProbationExtendedMonths by the caller.
		{
			From: seedling.StageProbationary, To: seedling.StageProbationary, Kind: KindExtend,
			Label: "延长预备期", LabelEn: "Extend probation",
			EffectiveFact: "meeting_on",
			Facts: concat([]FactSpec{
				{Name: "extend_months", Type: TypeInt, Required: true, Min: intp(rs.ExtensionMinMonths), Max: intp(rs.ExtensionMaxMonths),
					Label: "延长月数", LabelEn: "Months of extension",
					Note:   "延长时间不能少于半年，最长不超过一年（细则 第三十二条）",
					NoteEn: "An extension lasts at least six months and at most one year (Rules (2014), Art. 32)"},
			}, meetingFacts, []FactSpec{
				{Name: "reason", Type: TypeText, Required: true, Max: intp(2000),
					Label: "延长原因", LabelEn: "Reason"},
			}),
			Rules: concat(
				[]Rule{
					{
						ID: "extend_at_probation_end", Article: "细则 第三十二条",
						Message:   "预备期满时，由支部大会讨论决定延长预备期",
						MessageEn: "Probation is extended when it ends, within the rule set's window",
						Check: func(e Env) Why {
							m, ok := e.Facts.Date("meeting_on")
							end, known := e.Rules.probationEndBeforeExtension(e.Subject)
							if !ok || !known {
								return Why{}
							}
							w := e.Rules.ExtensionWindowDays
							if d := days(end, m); d < -w || d > w {
								return because("reason.extension_window", fmt.Sprintf("支部大会 %s 不在预备期届满 %s 前后 %d 天内", fmtDate(m), fmtDate(end), w), "Meeting", fmtDate(m), "End", fmtDate(end), "Days", w)
							}
							return Why{}
						},
						Earliest: func(s Subject, rs *RuleSet) (time.Time, bool) {
							end, ok := rs.probationEndBeforeExtension(s)
							return end.AddDate(0, 0, -rs.ExtensionWindowDays), ok
						},
					},
					{
						ID: "extend_once", Article: "细则 第三十二条",
						Message: "预备期只能延长一次", MessageEn: "Probation may be extended only once",
						Check: func(e Env) Why {
							if n := e.Subject.ProbationExtendedMonths; n > 0 {
								return because("reason.extended_once", fmt.Sprintf("预备期已延长过一次（%d 个月），只能延长一次", n), "Months", n)
							}
							return Why{}
						},
					},
				},
				// 第三十二条: extending probation is decided by the branch
				// general meeting, under the same attendance and vote rules.
				meetingRules("细则 第二十条、第三十二条", "细则 第二十一条、第三十二条"),
			),
		},

		// 取消预备党员资格: a probationary member who does not fulfil the
		// duties or lacks the qualities of a member has the probationary
		// membership cancelled, by the general meeting and the committee's
		// approval (细则 第三十二条). A reviewed step like any other.
		{
			From: seedling.StageProbationary, To: seedling.StageDisqualified, Kind: KindCancel,
			Label: "取消预备党员资格", LabelEn: "Cancel the probationary membership",
			EffectiveFact: "meeting_on",
			Facts: concat(meetingFacts, []FactSpec{
				{Name: "reason", Type: TypeText, Required: true, Min: intp(10), Max: intp(2000),
					Label: "取消原因", LabelEn: "Reason",
					Note:   "不履行党员义务、不具备党员条件的事实（细则 第三十二条）",
					NoteEn: "The facts showing that the member does not fulfil the duties or lacks the qualities of a member (Rules (2014), Art. 32)"},
			}),
			Rules: meetingRules("细则 第二十条、第三十二条", "细则 第二十一条、第三十二条"),
		},

		withdrawStep(seedling.StageApplicant),
		withdrawStep(seedling.StageActivist),
		withdrawStep(seedling.StageTarget),
		withdrawStep(seedling.StageProbationary),
	}
	// Every step may be a late record (补录) and then says why.
	for i := range rs.Steps {
		rs.Steps[i].Facts = append(rs.Steps[i].Facts, factLateReason)
	}
	withNoticeRule(rs)
}
