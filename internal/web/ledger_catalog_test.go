package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"seedling/internal/ledger"
)

// Every problem the ledger can report, every reason of the 80-point door
// and every column of the bulk-entry sheet has words in both catalogs: the
// pages translate them by code, which TestCatalogsAreComplete cannot see.
func TestLedgerCodesHaveCatalogEntries(t *testing.T) {
	codes := map[string]bool{}
	found := regexp.MustCompile(`(?:\.invalid|\.rule|RowProblem|\bbad|\bat)\((?:line, )?(?:[a-z.+"\[\]_ ]+|at\+"[a-z_.]+"), "([a-z_]+)"|Code: "([a-z_]+)"`)
	for _, dir := range []string{"../ledger", "../ledger/sheet"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if matched, _ := filepath.Match("*_test.go", filepath.Base(f)); matched {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range found.FindAllStringSubmatch(string(b), -1) {
				codes["problem."+m[1]+m[2]] = true
			}
		}
	}
	if len(codes) < 25 {
		t.Fatalf("found only %d problem codes; has the pattern gone stale? %v", len(codes), codes)
	}
	for _, c := range []string{"file_too_large", "file_unsupported", "file_invalid", "idempotency_reused"} {
		codes["problem."+c] = true
	}
	for _, r := range []string{ledger.ReasonPoints, ledger.ReasonTraining, ledger.ReasonNotActivist, ledger.ReasonPastStage, ledger.ReasonDisqualified, ledger.ReasonWithdrawn} {
		codes["eligibility."+r] = true
	}
	for _, c := range ledger.ImportColumns {
		codes["import.col."+c.Field] = true
	}
	for _, k := range []string{ledger.KindEntry, ledger.KindReversal} {
		codes["ledger.kind."+k] = true
	}
	for _, l := range languages {
		b, err := fs.ReadFile(assets, "locales/active."+l+".json")
		if err != nil {
			t.Fatal(err)
		}
		catalog := map[string]string{}
		json.Unmarshal(b, &catalog)
		for code := range codes {
			if _, ok := catalog[code]; !ok {
				t.Errorf("%s lacks %s", l, code)
			}
		}
	}
}
