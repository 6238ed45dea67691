package demo

import (
	"context"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/seeds"
)

// LoadTree writes the demo tree and candidates through the loading door.
// Rows are matched by code and never overwritten, so a second load, or a
// load over a database where someone has since renamed or moved a demo
// node, changes nothing that is already there.
func LoadTree(ctx context.Context, db *postgres.DB, d *seeds.Dataset) error {
	// The tree is written past the kind checks that OrgStore.Create
	// makes, so the dataset has to prove them first.
	if err := d.Validate(); err != nil {
		return seedling.Errorf(seedling.EInvalid, "%s", err.Error()).Keyed("problem.demo_invalid")
	}
	// A node already there keeps its id; a new one gets an id reserved
	// up front, so that its children can name it in the same load.
	ids := make(map[string]int64, len(d.Orgs))
	var missing []seeds.Org
	for _, o := range d.Orgs {
		org, err := db.Orgs().ByCode(ctx, o.Code)
		switch {
		case err == nil:
			ids[o.Code] = org.ID
		case seedling.ErrorCode(err) == seedling.ENotFound:
			missing = append(missing, o)
		default:
			return err
		}
	}
	if len(missing) > 0 {
		first, err := db.ReserveIDs(ctx, "orgs", int64(len(missing)))
		if err != nil {
			return err
		}
		for i, o := range missing {
			ids[o.Code] = first + int64(i)
		}
	}
	orgs := func(put func(values ...any) error) error {
		for _, o := range missing {
			var parent any
			if o.Parent != "" {
				parent = ids[o.Parent]
			}
			if err := put(ids[o.Code], parent, o.Kind, o.Name, o.Code); err != nil {
				return err
			}
		}
		return nil
	}
	pp, err := seeds.DemoPipeline()
	if err != nil {
		return err
	}
	candidates := func(put func(values ...any) error) error {
		for _, c := range d.Candidates {
			if err := put(ids[c.Org], c.Code, c.Name, c.Gender, nullable(c.BirthDate), c.Occupation, nullable(c.PriorityGroup),
				c.ReservePool, c.FrontLine, c.Stage, c.AppliedOn, nullable(c.ActivistSince), c.StageSince, probationSince(c, pp)); err != nil {
				return err
			}
		}
		return nil
	}
	_, err = db.CopyHistory(ctx, nil, []postgres.HistoryTable{
		{Name: "orgs", Columns: []string{"id", "parent_id", "kind", "name", "code"}, Rows: orgs, SkipExisting: true},
		{Name: "candidates", Columns: []string{"org_id", "code", "name", "gender", "birth_date", "occupation", "priority_group",
			"reserve_pool", "front_line", "stage", "applied_on", "activist_since", "stage_since", "probation_since"}, Rows: candidates, SkipExisting: true},
	})
	return err
}

// probationSince is when a candidate's probation began, as the review
// history that loadPipeline writes has it: a probationary member's stage
// began with it, a full member's a year after it, and a cancelled
// probation began on its admission.
func probationSince(c seeds.Candidate, p *seeds.Pipeline) any {
	for _, x := range p.Cancellations {
		if x.Candidate == c.Code {
			return x.AdmittedOn
		}
	}
	switch seedling.Stage(c.Stage) {
	case seedling.StageProbationary:
		return c.StageSince
	case seedling.StageFull:
		return date(mustDate(c.StageSince).AddDate(-1, 0, 0))
	}
	return nil
}

// nullable maps the dataset's "not known" (an empty string) to SQL NULL:
// "" is not a date, and the CHECK on priority_group admits NULL but not "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
