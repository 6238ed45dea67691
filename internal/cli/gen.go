package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"seedling/internal/demo/synth"
	"seedling/internal/seedling"
)

// gen fills a database with a synthetic province for load tests. It refuses
// a database that holds data it did not generate, unless --force.
func gen(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "gen")
	candidates := fs.Int("candidates", 1000, "number of candidates")
	entries := fs.Int("entries", 30000, "number of ledger rows over all candidates")
	seed := fs.Uint64("seed", 1, "seed: the same seed (and --today) makes the same province")
	today := fs.String("today", "", "the day the province is generated as of, YYYY-MM-DD (default today)")
	force := fs.Bool("force", false, "add to a database that holds data the generator did not make")
	db, err := parseAndOpen(ctx, env, fs, dbf, args)
	if err != nil {
		return err
	}
	defer db.Close()
	p := synth.Params{Candidates: *candidates, Entries: *entries, Seed: *seed}
	if *today != "" {
		if p.Today, err = seedling.ParseDate(*today); err != nil {
			return seedling.FieldError("today", "--today must be a date YYYY-MM-DD")
		}
	}
	runs, holds, err := db.SyntheticState(ctx)
	if err != nil {
		return err
	}
	if holds && runs == 0 && !*force {
		return fmt.Errorf("the database holds data the generator did not make; use --force to add a synthetic province to it")
	}
	if err := db.MigrateUp(ctx, env.log); err != nil {
		return err
	}
	started := time.Now()
	res, err := synth.Generate(ctx, db.DB, p)
	if err != nil {
		return err
	}
	took := time.Since(started)
	total := int64(0)
	names := make([]string, 0, len(res.Rows))
	for name, n := range res.Rows {
		names = append(names, name)
		total += n
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(env.stdout, "%-18s %10d\n", name, res.Rows[name])
	}
	fmt.Fprintf(env.stdout, "%d rows in %s (%.0f rows/s)\n", total, took.Round(time.Millisecond), float64(total)/took.Seconds())
	fmt.Fprintf(env.stdout, "Accounts (password %q), for example:\n", synth.Password)
	for _, a := range res.Accounts {
		fmt.Fprintf(env.stdout, "  %-12s %-12s org %d\n", a.Username, a.Role, a.OrgID)
	}
	return nil
}
