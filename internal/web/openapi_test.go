package web

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Every API route is described in openapi.json and every description is a
// route: the spec cannot silently fall behind the code.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	app := newTestAppOn(t, nil)
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiSpec, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	described := map[string]bool{}
	for p, ops := range spec.Paths {
		for m := range ops {
			described[strings.ToUpper(m)+" "+p] = true
		}
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range app.srv.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") && r.Path != "/healthz" && r.Path != "/readyz" && r.Path != "/metrics" {
			continue
		}
		if r.Method == "HEAD" || r.Method == "USE" {
			continue
		}
		served[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, stale []string
	for k := range served {
		if !described[k] {
			missing = append(missing, k)
		}
	}
	for k := range described {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("openapi.json out of step with the routes\nnot described: %v\ndescribed but not served: %v", missing, stale)
	}
}
