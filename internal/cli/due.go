package cli

import (
	"context"
	"fmt"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

// due prints the due list for cron-style use: overdue items first, one a
// line, and exits 0 either way (a due item is news, not a failure).
func due(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "due")
	orgID := fs.Int64("org", 0, "only this node's subtree (default: the whole tree)")
	dir := rulesDir(fs, env)
	db, err := parseAndOpen(ctx, env, fs, dbf, args)
	if err != nil {
		return err
	}
	defer db.Close()
	root := "/"
	if *orgID != 0 {
		org, err := db.Orgs().ByID(ctx, *orgID)
		if err != nil {
			return fmt.Errorf("--org %d: no such node", *orgID)
		}
		root = org.Path
	}
	reg, err := pipeline.LoadRegistry(*dir)
	if err != nil {
		return err
	}
	today := seedling.Today(db.Now())
	rs := reg.InForce(today)
	items, err := db.Pipeline().Due(ctx, []string{root}, rs, today)
	if err != nil {
		return err
	}
	for _, it := range items {
		who := it.OrgName // a node's own deadline, such as its display
		if it.CandidateID != 0 {
			who = it.Name + "（" + it.OrgName + "）"
		}
		fmt.Fprintf(env.stdout, "%-8s %s  %-18s %s %s\n", it.Status, it.DueOn.Format(seedling.DateLayout), it.Kind, who, it.Message)
	}
	fmt.Fprintf(env.stdout, "%d due items as of %s\n", len(items), today.Format(seedling.DateLayout))
	return nil
}
