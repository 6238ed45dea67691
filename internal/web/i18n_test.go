package web

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"regexp"
	"sort"
	"testing"
)

// Both catalogs carry the same keys, and every literal key a template asks
// for exists: a gap shows up here, not as a raw key on someone's screen.
func TestCatalogsAreComplete(t *testing.T) {
	catalogs := map[string]map[string]string{}
	for _, l := range languages {
		b, err := fs.ReadFile(assets, "locales/active."+l+".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		catalogs[l] = m
	}
	for _, a := range languages {
		for _, b := range languages {
			var missing []string
			for k := range catalogs[a] {
				if _, ok := catalogs[b][k]; !ok {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s lacks keys that %s has: %v", b, a, missing)
			}
		}
	}
	used := regexp.MustCompile(`\{\{-?\s*t \$?\.L "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(assets, "templates/*/*.html")
	layout, _ := fs.Glob(assets, "templates/*.html")
	for _, f := range append(files, layout...) {
		b, _ := fs.ReadFile(assets, f)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalogs[languages[0]][m[1]]; !ok {
				t.Errorf("%s uses %q, which no catalog has", f, m[1])
			}
		}
	}
}

// A key written twice in one catalog is silently the last of its values:
// parallel edits that both add a key (each with its own meaning) must
// collide here, not on a reader's screen.
func TestCatalogKeysAreWrittenOnce(t *testing.T) {
	for _, l := range languages {
		b, err := fs.ReadFile(assets, "locales/active."+l+".json")
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if _, err := dec.Token(); err != nil { // the opening brace
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			key := tok.(string)
			if seen[key] {
				t.Errorf("%s: key %q is written twice", l, key)
			}
			seen[key] = true
			var v string
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %s: %v", l, key, err)
			}
		}
	}
}
