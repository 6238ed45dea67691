package cli

import (
	"strings"
	"testing"

	"seedling/internal/testdb"
)

// bench refuses a database holding data the generator did not make.
func TestBenchRefusesAnUnmarkedDatabase(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": testdb.DSN(testdb.NewDemo(t))}
	if code, _, stderr := runCmd(t, vars, "", "bench", "--quick"); code != 1 || !strings.Contains(stderr, "--i-know") {
		t.Fatalf("bench over demo data: %d %q", code, stderr)
	}
}
