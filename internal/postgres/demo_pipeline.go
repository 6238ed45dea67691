package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
	"seedling/seeds"
)

// archiveUser is the account that history imported from paper records is
// written under: the real people who submitted and approved those steps are
// not users of the system. It can never log in.
const archiveUser = "archive"

// LoadDemoPipeline gives the demo candidates a review history: the approved
// steps their stage and dates imply, plus the returns, political reviews,
// waiting submissions and quotas of seeds/pipeline.json. A candidate that
// already has any history is left alone, so loading twice changes nothing.
func (db *DB) LoadDemoPipeline(ctx context.Context, p *seeds.Pipeline) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		archive, err := ensureArchiveUser(ctx, tx)
		if err != nil {
			return err
		}
		var cands []struct {
			ID            int64      `db:"id"`
			Code          string     `db:"code"`
			Stage         string     `db:"stage"`
			AppliedOn     time.Time  `db:"applied_on"`
			ActivistSince *time.Time `db:"activist_since"`
			StageSince    time.Time  `db:"stage_since"`
		}
		err = tx.SelectContext(ctx, &cands, `
			SELECT c.id, c.code, c.stage, c.applied_on, c.activist_since, c.stage_since FROM candidates c
			WHERE c.code IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.candidate_id = c.id)
			  AND NOT EXISTS (SELECT 1 FROM stage_changes sc WHERE sc.candidate_id = c.id)
			ORDER BY c.id`)
		if err != nil {
			return err
		}
		fresh := map[string]int64{}
		for _, c := range cands {
			fresh[c.Code] = c.ID
			h := history{tx: tx, ctx: ctx, cand: c.ID, by: archive}
			if c.ActivistSince != nil {
				h.approve("applicant", "activist", *c.ActivistSince)
			}
			switch c.Stage {
			case "target":
				h.approve("activist", "target", c.StageSince)
			case "probationary":
				h.approve("activist", "target", c.StageSince.AddDate(0, -4, 0))
				h.approve("target", "probationary", c.StageSince)
				h.exec(`UPDATE candidates SET probation_since = $2 WHERE id = $1`, c.ID, c.StageSince)
			case "full":
				probation := c.StageSince.AddDate(-1, 0, 0)
				h.approve("activist", "target", probation.AddDate(0, -4, 0))
				h.approve("target", "probationary", probation)
				h.approve("probationary", "full", c.StageSince)
				h.exec(`UPDATE candidates SET probation_since = $2 WHERE id = $1`, c.ID, probation)
			case "withdrawn":
				from := "applicant"
				if c.ActivistSince != nil {
					from = "activist"
				}
				h.change(from, "withdrawn", c.StageSince, c.StageSince, nil, "本人申请撤回")
			}
			if h.err != nil {
				return h.err
			}
		}
		for _, r := range p.Returns {
			if id, ok := fresh[r.Candidate]; ok {
				h := history{tx: tx, ctx: ctx, cand: id, by: archive}
				week := mustDate(r.On).AddDate(0, 0, -7)
				h.submission(r.From, r.To, pipeline.KindAdvance, week, week, "returned", mustDate(r.On), r.Reasons, nil)
				if h.err != nil {
					return h.err
				}
			}
		}
		for _, x := range p.Cancellations {
			if id, ok := fresh[x.Candidate]; ok {
				h := history{tx: tx, ctx: ctx, cand: id, by: archive}
				h.cancelProbation(x)
				if h.err != nil {
					return fmt.Errorf("demo cancellation of %s: %w", x.Candidate, h.err)
				}
			}
		}
		for _, r := range p.PoliticalReviews {
			if id, ok := fresh[r.Candidate]; ok {
				if _, err := tx.ExecContext(ctx, `INSERT INTO political_reviews (candidate_id, passed, conclusion, reviewed_on, recorded_by) VALUES ($1, $2, $3, $4, $5)`,
					id, r.Passed, r.Conclusion, mustDate(r.On), archive); err != nil {
					return err
				}
			}
		}
		// Disqualifications follow the failed reviews recorded above; a
		// cancelled probation, written above, is its candidate's one
		// disqualification already (the unique index on them skips it here).
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO stage_changes (candidate_id, from_stage, to_stage, effective_on, reason, recorded_by)
			SELECT c.id, CASE WHEN c.activist_since IS NULL THEN 'applicant' ELSE 'activist' END, 'disqualified', c.stage_since,
			       CASE WHEN EXISTS (SELECT 1 FROM political_reviews r WHERE r.candidate_id = c.id AND NOT r.passed)
			            THEN '政治审查不合格，取消入党资格' ELSE '审核未通过 3 次，取消入党资格' END, $2
			FROM candidates c WHERE c.stage = 'disqualified' AND c.id = ANY($1)
			ON CONFLICT DO NOTHING`, pq.Array(int64s(fresh)), archive); err != nil {
			return err
		}
		for _, s := range p.Pending {
			if id, ok := fresh[s.Candidate]; ok {
				var from string
				if err := tx.GetContext(ctx, &from, `SELECT stage FROM candidates WHERE id = $1`, id); err != nil {
					return err
				}
				h := history{tx: tx, ctx: ctx, cand: id, by: archive}
				on := mustDate(s.SubmittedOn)
				h.submission(from, s.To, pipeline.KindAdvance, on, on, "pending", time.Time{}, "", s.Facts)
				if h.err != nil {
					return h.err
				}
			}
		}
		// Half-year assessments (每半年考察) of the activists in their second
		// year and of the probationary members, every six months since the
		// stage began; those in their first year have none yet, so the due
		// list shows them overdue. Probationary members took the oath a week
		// after admission.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO branch_records (candidate_id, kind, on_date, by_name, conclusion, recorded_by)
			SELECT c.id, 'assessment', CAST(d AS date), '培养联系人', '半年考察：思想端正，按时参加组织生活，完成培养任务', $2
			FROM candidates c, generate_series(c.stage_since + INTERVAL '6 months', CAST(current_date AS timestamp), INTERVAL '6 months') d
			WHERE c.id = ANY($1) AND (c.stage = 'probationary' OR (c.stage = 'activist' AND c.stage_since <= current_date - INTERVAL '12 months'))`,
			pq.Array(int64s(fresh)), archive); err != nil {
			return err
		}
		// Development targets named two months ago or more have been reviewed
		// by the branch committee and pre-reviewed by the committee (细则
		// 第十八条、第十九条), ready for the application form.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO branch_records (candidate_id, kind, on_date, by_name, conclusion, recorded_by)
			SELECT c.id, k.kind, c.stage_since + k.after, k.by_name, k.conclusion, $2
			FROM candidates c, (VALUES ('branch_review', 30, '支部委员会', '审查合格，同意报党委预审'),
			                           ('prereview', 45, '党委组织委员', '预审合格，同意发放入党志愿书')) AS k (kind, after, by_name, conclusion)
			WHERE c.id = ANY($1) AND c.stage = 'target' AND c.stage_since + 60 <= current_date`,
			pq.Array(int64s(fresh)), archive); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO branch_records (candidate_id, kind, on_date, by_name, conclusion, recorded_by)
			SELECT c.id, 'oath', c.stage_since + 7, '支部书记', '在党旗下进行入党宣誓', $2
			FROM candidates c WHERE c.id = ANY($1) AND c.stage = 'probationary' AND c.stage_since + 7 <= current_date`,
			pq.Array(int64s(fresh)), archive); err != nil {
			return err
		}
		for _, q := range p.Quotas {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO quotas (year, org_id, amount) SELECT $1, id, $3 FROM orgs WHERE code = $2
				ON CONFLICT DO NOTHING`, q.Year, q.Org, q.Amount); err != nil {
				return err
			}
		}
		return nil
	})
}

// history writes one candidate's past steps; the first error sticks.
type history struct {
	tx   *sqlx.Tx
	ctx  context.Context
	cand int64
	by   int64
	err  error
}

func (h *history) exec(q string, args ...any) {
	if h.err == nil {
		_, h.err = h.tx.ExecContext(h.ctx, q, args...)
	}
}

// approve records a step submitted a week before it took effect and approved
// on the day, with its stage change and, where due, its filing.
func (h *history) approve(from, to string, on time.Time) {
	id := h.submission(from, to, pipeline.KindAdvance, on.AddDate(0, 0, -7), on.AddDate(0, 0, -7), "approved", on, "", nil)
	h.change(from, to, on, on, &id, "")
	if h.err == nil && (to == "activist" || to == "target") {
		h.exec(`INSERT INTO filings (candidate_id, submission_id, kind, committee_id, filed_at, acknowledged_at, acknowledged_by)
			SELECT $1, $2, $3, co.id, $4, $4, $5 FROM candidates c JOIN orgs o ON o.id = c.org_id
			JOIN orgs co ON co.kind = 'committee' AND o.path LIKE co.path || '%'
			WHERE c.id = $1 ORDER BY length(co.path) DESC LIMIT 1`, h.cand, id, to, on, h.by)
	}
}

// cancelProbation writes a probation cancelled by the reviewed step
// (取消预备党员资格, 细则 第三十二条): the admission it ends, then the
// branch's proposal with its meeting's facts and the committee's approval,
// taking effect on the meeting's date as an approval does (applyApproval).
// The candidate's stage must already say so.
func (h *history) cancelProbation(c seeds.Cancellation) {
	if h.err != nil {
		return
	}
	meeting := mustDate(c.Facts["meeting_on"].(string)) // seeds.DemoPipeline checked it
	var cand struct {
		Stage      string    `db:"stage"`
		StageSince time.Time `db:"stage_since"`
	}
	if h.err = h.tx.GetContext(h.ctx, &cand, `SELECT stage, stage_since FROM candidates WHERE id = $1`, h.cand); h.err != nil {
		return
	}
	if cand.Stage != string(seedling.StageDisqualified) || !cand.StageSince.Equal(meeting) {
		h.err = fmt.Errorf("stage %s since %s, want disqualified since the meeting on %s", cand.Stage, cand.StageSince.Format(seedling.DateLayout), meeting.Format(seedling.DateLayout))
		return
	}
	admitted := mustDate(c.AdmittedOn)
	h.approve("activist", "target", admitted.AddDate(0, -4, 0))
	h.approve("target", "probationary", admitted)
	h.exec(`UPDATE candidates SET probation_since = $2 WHERE id = $1`, h.cand, admitted)
	decided := mustDate(c.DecidedOn)
	sub := h.submission("probationary", "disqualified", pipeline.KindCancel, meeting, mustDate(c.SubmittedOn), "approved", decided, "", c.Facts)
	reason, _ := c.Facts["reason"].(string)
	h.change("probationary", "disqualified", meeting, decided, &sub, reason)
}

// change writes a stage change effective on, recorded at (the decision
// that made it).
func (h *history) change(from, to string, on, at time.Time, sub *int64, reason string) {
	h.exec(`INSERT INTO stage_changes (candidate_id, from_stage, to_stage, effective_on, submission_id, reason, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, h.cand, from, to, on, sub, reason, h.by, at)
}

// submission writes a submission of a kind (pipeline.KindAdvance, …) taking
// effect on effective.
func (h *history) submission(from, to, kind string, effective, submitted time.Time, state string, decided time.Time, reasons string, facts map[string]any) int64 {
	if h.err != nil {
		return 0
	}
	if facts == nil {
		facts = map[string]any{"imported": "历史档案"}
	}
	b, _ := json.Marshal(facts)
	var decidedBy *int64
	var decidedAt, decidedOn *time.Time
	// History is "imported"; a waiting submission carries the shipped rule
	// set in force on its date, which its decision re-runs.
	version := "imported"
	if state != "pending" {
		decidedBy, decidedAt, decidedOn = &h.by, &decided, &decided
	} else if rs := pipeline.DefaultRegistry().InForce(submitted); rs != nil {
		version = rs.Version
	}
	var id int64
	h.err = h.tx.GetContext(h.ctx, &id, `
		INSERT INTO submissions (candidate_id, from_stage, to_stage, kind, facts, rules_version, effective_on, state,
		                         submitted_by, submitted_at, decided_by, decided_at, decided_on, reasons)
		VALUES ($1, $2, $3, $14, $4, $13, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		h.cand, from, to, b, effective, state, h.by, submitted, decidedBy, decidedAt, decidedOn, reasons, version, kind)
	return id
}

func ensureArchiveUser(ctx context.Context, tx *sqlx.Tx) (int64, error) {
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT id FROM users WHERE username = $1`, archiveUser); err == nil {
		return id, nil
	}
	var pw [24]byte
	rand.Read(pw[:])
	hash, err := seedling.HashPassword(hex.EncodeToString(pw[:]))
	if err != nil {
		return 0, err
	}
	err = tx.GetContext(ctx, &id, `INSERT INTO users (username, display_name, password_hash, disabled) VALUES ($1, '历史档案导入', $2, true) RETURNING id`, archiveUser, hash)
	return id, err
}

func mustDate(s string) time.Time {
	d, err := seedling.ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("seeds/pipeline.json: bad date %q", s)) // seeds.DemoPipeline checked every date
	}
	return d
}

func int64s(m map[string]int64) []int64 {
	out := make([]int64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
