package cli

import (
	"strings"
	"testing"

	"seedling/internal/testdb"
)

// gen refuses a database holding real data unless --force, and fills an
// empty one whose ledgers then verify.
func TestGenRefusesRealDataWithoutForce(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": testdb.DSN(testdb.NewDemo(t))}
	if code, _, stderr := runCmd(t, vars, "", "gen", "--candidates", "20", "--entries", "100"); code != 1 || !strings.Contains(stderr, "--force") {
		t.Fatalf("gen over demo data: %d %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, vars, "", "gen", "--candidates", "20", "--entries", "100", "--force"); code != 0 {
		t.Fatalf("gen --force: %d %q", code, stderr)
	}
	empty := map[string]string{"DATABASE_URL": testdb.DSN(testdb.New(t))}
	for i := 0; i < 2; i++ { // a second run adds a second province beside the first
		if code, out, stderr := runCmd(t, empty, "", "gen", "--candidates", "30", "--entries", "300", "--seed", "3"); code != 0 || !strings.Contains(out, "ledger_entries") {
			t.Fatalf("gen #%d: %d %q %q", i, code, out, stderr)
		}
	}
	if code, out, stderr := runCmd(t, empty, "", "verify", "--skip-files"); code != 0 || !strings.Contains(out, "600 entries") {
		t.Fatalf("verify: %d %q %q", code, out, stderr)
	}
}
