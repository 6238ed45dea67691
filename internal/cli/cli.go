// Package cli is the command line of the one seedling binary: it reads flags
// and environment, opens the database (given or embedded), and hands over to
// the server or a maintenance command. main only calls Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

type command struct {
	name, usage string
	run         func(ctx context.Context, env *environment, args []string) error
}

var commands = []command{
	{"serve", "run the web service (with --demo: demo data and accounts)", serve},
	{"migrate", "migrate up|down|status: apply, roll back one, or list migrations", migrate},
	{"seed", "load the demo data (idempotent)", seed},
	{"user", "user add|grant|revoke|passwd|disable|enable: manage accounts", userCmd},
	{"due", "print the due list (talks, assessments, probation, overdue decisions)", due},
	{"verify", "check every ledger's hash chain and evidence file; exit 1 if anything was altered", verify},
	{"backup", "backup --out DIR: a consistent dump, the evidence files and a manifest of their hashes", backup},
	{"chaos", "chaos [--kills N --duration D --seed S]: the fault test on its own loopback service and database", chaos},
	{"restore", "restore --from DIR: check a backup and load it into an empty database and evidence directory", restore},
	{"bench", "measure the service beside PostgreSQL alone; writes bench.json (--quick: under a minute)", benchCmd},
	{"gen", "fill a database with a synthetic province (--candidates N --entries M --seed S)", gen},
	{"rules", "rules [VERSION]: list the rule-set versions, or print one with its numbers and articles", rules},
}

// environment is what every command shares: where output goes and how to log.
type environment struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	getenv         func(string) string
	stdin          io.Reader
}

// Run executes the command line and returns the process exit code. Errors
// end as one line on stderr, never a stack trace.
func Run(args []string) int {
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stdin: os.Stdin,
		log: slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(os.Getenv("SEEDLING_LOG_LEVEL"))}))}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, env, args)
}

// run is Run with its surroundings passed in, so tests can drive commands
// with their own environment and read what they print.
func run(ctx context.Context, env *environment, args []string) int {
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		usage(env.stderr)
		if len(args) < 2 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[1] {
			err := c.run(ctx, env, args[2:])
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			if err != nil {
				fmt.Fprintln(env.stderr, "seedling:", oneLine(err))
				return 1
			}
			return 0
		}
	}
	fmt.Fprintf(env.stderr, "seedling: unknown command %q\n", args[1])
	usage(env.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: seedling <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "Run 'seedling <command> -h' for the flags of a command.")
}

func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}
