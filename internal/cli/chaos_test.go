package cli

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"seedling/internal/pgembed"
)

// A short fault run: the binary kills its own service and PostgreSQL inside
// a migration, then twice each under load (once while an import is
// half-sent), and finds every acknowledged write of every kind exactly once.
func TestChaosShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own PostgreSQL and service")
	}
	if _, err := pgembed.BinDir(); err != nil {
		t.Skip(err)
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "seedling")
	if out, err := exec.Command("go", "build", "-o", bin, "seedling/cmd/seedling").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "chaos", "--kills", "4", "--duration", "15s", "--seed", "7").Output()
	if err != nil {
		t.Fatalf("chaos: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var rep chaosReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not the report: %q", lines[len(lines)-1])
	}
	if rep.Kills != 4 || rep.MigrationKills != 2 || rep.Acknowledged == 0 || rep.failed() {
		t.Fatalf("report: %+v", rep)
	}
	for _, kind := range []string{"entry", "reversal", "evidence", "candidate", "submission", "decision", "import", "display", "objection", "resolution"} {
		if rep.Kinds[kind] == 0 {
			t.Errorf("no %s acknowledged: %+v", kind, rep.Kinds)
		}
	}
}
