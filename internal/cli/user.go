package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// userCmd manages accounts from the shell: the first admin is made here, and
// scripts can provision many. Passwords are read from standard input so they
// never show in the process list or shell history.
func userCmd(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "user")
	display := fs.String("name", "", "display name (user add)")
	usage := "usage: seedling user add [--name 显示名] USERNAME | grant USERNAME ROLE ORG_ID | revoke USERNAME ROLE ORG_ID | passwd USERNAME | disable USERNAME | enable USERNAME (passwords are read from stdin)"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	// The verb comes first and its flags after it, as people type them:
	// `seedling user add --name 王主任 wang`.
	verb := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	rest := append([]string{verb}, fs.Args()...)
	want := map[string]int{"add": 2, "grant": 4, "revoke": 4, "passwd": 2, "disable": 2, "enable": 2}
	if n, ok := want[verb]; !ok || len(rest) != n {
		return fmt.Errorf("%s", usage)
	}
	username := rest[1]
	var password string
	if verb == "add" || verb == "passwd" {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("give the password on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	db, err := openDatabase(ctx, env, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	users, actor := db.Users(), cliActor()
	// The command line holds the owner's rights: its scope is the whole tree.
	adm := seedling.Administrator{Actor: actor, Everywhere: true, Confirmed: true}
	switch verb {
	case "add":
		_, err = users.Create(ctx, actor, postgres.NewUser{Username: username, DisplayName: *display, Password: password})
	case "grant", "revoke":
		var org int64
		if _, perr := fmt.Sscan(rest[3], &org); perr != nil {
			return seedling.FieldError("org_id", "organisation id must be a number")
		}
		if verb == "grant" {
			err = users.Grant(ctx, adm, username, seedling.Role(rest[2]), org)
		} else {
			err = users.Revoke(ctx, adm, username, seedling.Role(rest[2]), org)
		}
	case "passwd":
		err = users.SetPassword(ctx, adm, username, password)
	case "disable", "enable":
		err = users.SetDisabled(ctx, adm, username, verb == "disable")
	}
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "user %s: %s done\n", verb, username)
	return nil
}

// describe puts a domain error's field next to its message for the shell.
func describe(err error) error {
	var de *seedling.Error
	if e, ok := err.(*seedling.Error); ok {
		de = e
	}
	if de == nil || len(de.Fields) == 0 {
		return err
	}
	var parts []string
	for f, why := range de.Fields {
		parts = append(parts, f+": "+why)
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}
