package cli

import (
	"context"
	"fmt"
)

func migrate(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "migrate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: seedling migrate up|down|status")
	}
	verb := fs.Arg(0)
	if verb != "up" && verb != "down" && verb != "status" {
		return fmt.Errorf("unknown migrate verb %q: use up, down or status", verb)
	}
	db, err := openDatabase(ctx, env, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "up":
		return db.MigrateUp(ctx, env.log)
	case "down":
		return db.MigrateDown(ctx, env.log)
	}
	st, err := db.MigrateStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range st {
		applied := "pending"
		if m.AppliedAt != nil {
			applied = m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(env.stdout, "%05d  %-22s  %s\n", m.Version, applied, m.Name)
	}
	return nil
}
