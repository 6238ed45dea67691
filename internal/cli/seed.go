package cli

import (
	"context"
	"fmt"
	"os/user"

	"seedling/internal/demo"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

func seed(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "seed")
	db, err := parseAndOpen(ctx, env, fs, dbf, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.MigrateUp(ctx, env.log); err != nil {
		return err
	}
	if err := loadDemo(ctx, env, db.DB); err != nil {
		return err
	}
	printDemoAccounts(env, "")
	return nil
}

// loadDemo loads the demo data and accounts, named in the audit trail as
// made from the command line.
func loadDemo(ctx context.Context, env *environment, db *postgres.DB) error {
	return demo.Load(ctx, db, cliActor())
}

func printDemoAccounts(env *environment, addr string) {
	if addr != "" {
		fmt.Fprintf(env.stdout, "\nSeedling demo is running at http://%s/\n", addr)
	}
	fmt.Fprintf(env.stdout, "Demo accounts (password %q):\n", demo.Password)
	for _, a := range demo.Accounts {
		fmt.Fprintf(env.stdout, "  %-11s %s\n", a.Username, a.Role)
	}
}

// cliActor is who the audit trail names for changes made on the command
// line: the operating-system user, since no session exists.
func cliActor() seedling.Actor {
	name := "cli"
	if u, err := user.Current(); err == nil {
		name = "cli:" + u.Username
	}
	return seedling.Actor{Username: name}
}
