package testdb

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every Go file that produces the demo data is part of the template's
// fingerprint, with its current content: otherwise a changed generator
// reuses a stale demo template on a shared test server.
func TestFingerprintCoversDemoCode(t *testing.T) {
	inputs := fingerprintInputs()
	var files []string
	demoFiles, _ := filepath.Glob("../demo/*.go")
	files = append(files, demoFiles...)
	files = append(files, "../../seeds/demo.json", "../../seeds/ledger.json", "../../seeds/pipeline.json")
	if len(demoFiles) == 0 {
		t.Fatal("no demo code found")
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		name := strings.TrimPrefix(filepath.ToSlash(f), "../")
		if !strings.HasPrefix(name, "../") && !strings.HasPrefix(name, "seeds") {
			name = "internal/" + name
		}
		name = strings.TrimPrefix(name, "../")
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := inputs[name]
		if !ok {
			t.Errorf("%s is not part of the template fingerprint", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is fingerprinted with other content than on disk", name)
		}
	}
}
