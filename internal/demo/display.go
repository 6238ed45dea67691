package demo

import (
	"context"
	"fmt"
	"time"

	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// displayBranches are the branches whose past displays the demo shows; the
// last quarter that has ended is left for the secretary to publish.
var displayBranches = []string{"branch-a", "branch-b"}

// loadDisplays publishes, through the display store, each demo branch's
// displays of the two quarters before the last ended one, each on the first
// working day after its period, with an objection in every state: one
// upheld with a correcting entry, one rejected, one left open (overdue by
// now). A branch that has a display of the period already is left alone.
func loadDisplays(ctx context.Context, db *postgres.DB) error {
	today := seedling.Today(db.Now())
	last := display.LastEnded(today)
	var periods []display.Period
	for p, i := last, 0; i < 2; i++ {
		p = previousQuarter(p)
		periods = append([]display.Period{p}, periods...)
	}
	for _, code := range displayBranches {
		org, err := db.Orgs().ByCode(ctx, code)
		if err != nil {
			return err
		}
		secretary := "secretary"
		if code == "branch-b" {
			secretary = "secretary2"
		}
		u, err := db.Users().ByUsername(ctx, secretary)
		if err != nil {
			return err
		}
		a := seedling.Actor{UserID: &u.ID, Username: u.Username, Role: seedling.RoleSecretary, OrgID: &org.ID}
		for _, p := range periods {
			if err := loadDisplay(ctx, db, a, org, p); err != nil {
				return fmt.Errorf("%s %s: %w", code, p, err)
			}
		}
	}
	return nil
}

func previousQuarter(p display.Period) display.Period {
	if p.Quarter == 1 {
		return display.Period{Year: p.Year - 1, Quarter: 4}
	}
	return display.Period{Year: p.Year, Quarter: p.Quarter - 1}
}

func loadDisplay(ctx context.Context, db *postgres.DB, a seedling.Actor, org seedling.Org, p display.Period) error {
	existing, err := db.Displays().List(ctx, postgres.DisplayFilter{Roots: []string{org.Path}, DraftRoots: []string{org.Path}, OrgID: org.ID, Period: p.String()})
	if err != nil || len(existing) > 0 {
		return err
	}
	// The store reads the business date from its clock: move a copy of
	// the pool to the days the display was published and answered.
	at := func(day time.Time) *postgres.DB {
		past := *db
		past.Now = func() time.Time { return day.Add(2 * time.Hour) } // 10:00 in China
		return &past
	}
	published := p.Last().AddDate(0, 0, 1)
	for published.Weekday() == time.Saturday || published.Weekday() == time.Sunday {
		published = published.AddDate(0, 0, 1)
	}
	d, err := at(published).Displays().Create(ctx, a, org, p, pipeline.DefaultRegistry())
	if err != nil {
		return err
	}
	if d, err = at(published).Displays().Publish(ctx, a, d.ID); err != nil {
		return err
	}
	// The objections are about the last people of the branch, whose
	// ledgers the demo's other stories do not tell, and only about people
	// with points by the period's end: the rows are the branch's people as
	// they stand today, so one named an activist since then shows in the
	// earlier period with nothing to object to.
	var rows []display.Row
	for _, r := range d.Rows {
		if r.Points > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) < 3 || d.Window == nil {
		return nil
	}
	raise := func(row display.Row, text, from string) (display.Objection, error) {
		return at(d.Window.Opens).Displays().Raise(ctx, a, d.ID,
			display.Raise{CandidateID: row.CandidateID, Text: text, Channel: display.ChannelPaper, From: from}, true, nil)
	}
	n := len(rows)
	answered := d.Window.Closes
	upheld, err := raise(rows[n-1], "本季度参加防汛值守未记分", "党员王建国（书面）")
	if err != nil {
		return err
	}
	pts := 2
	correction := ledger.Draft{Category: "critical_moment", Points: &pts, OccurredOn: p.Last().Format(seedling.DateLayout), Description: "补记防汛值守（异议核实属实）"}
	if _, err := at(answered).Displays().Resolve(ctx, a, upheld.ID, display.Resolution{Decision: display.Uphold, Reason: "经核实值守记录属实，予以补记"}, &correction); err != nil {
		// A person who was not yet an activist on the period's last day
		// cannot be corrected then; answer with a reason instead.
		if _, err := at(answered).Displays().Resolve(ctx, a, upheld.ID, display.Resolution{Decision: display.Reject, Reason: "该同志当时尚未确定为入党积极分子"}, nil); err != nil {
			return err
		}
	}
	rejected, err := raise(rows[n-2], "学习次数记录偏多", "群众李某（电话）")
	if err != nil {
		return err
	}
	if _, err := at(answered).Displays().Resolve(ctx, a, rejected.ID, display.Resolution{Decision: display.Reject, Reason: "经核对签到表，记录无误"}, nil); err != nil {
		return err
	}
	_, err = raise(rows[n-3], "评议得分与评议会结果不一致", "党员赵某（书面）")
	return err
}
