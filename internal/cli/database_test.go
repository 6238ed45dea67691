package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/lib/pq"

	"seedling/internal/testdb"
)

// An external server that may lose acknowledged writes is named in a
// warning at start.
func TestUnsafeExternalServerIsWarned(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var name string
	if err := db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` SET synchronous_commit = off`); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	env := &environment{stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(&logs, nil)),
		getenv: func(k string) string { return map[string]string{"DATABASE_URL": testdb.DSN(db)}[k] }}
	d, err := openDatabase(context.Background(), env, dbFlags{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !strings.Contains(logs.String(), "synchronous_commit") || !strings.Contains(logs.String(), "WARN") {
		t.Fatalf("no warning about synchronous_commit: %s", logs.String())
	}
}
