package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"seedling/internal/authz"
	"seedling/internal/seedling"
)

// measureAuthz times one decision of a secretary among cfg.Grants grants
// on a node never asked about before (nothing cached can answer), against
// the bare scope test it reduces to: a role lookup and a prefix compare.
func measureAuthz(ctx context.Context, cfg Config, c *client, fx *fixture) (Result, error) {
	started := time.Now()
	a, err := authz.New()
	if err != nil {
		return Result{}, err
	}
	load := time.Since(started)
	principals := make([]*seedling.Principal, cfg.Grants)
	for i := range principals {
		g := seedling.Grant{Role: seedling.RoleSecretary, OrgPath: fmt.Sprintf("/1/%d/%d/", i%2000, i)}
		principals[i] = &seedling.Principal{User: seedling.User{ID: int64(i + 1)}, Grants: []seedling.Grant{g}}
	}
	var failed error
	app := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := principals[i%len(principals)]
			t := authz.Target{Path: p.Grants[0].OrgPath + strconv.Itoa(i) + "/"}
			if _, err := a.Check(p, t, authz.Ledger, authz.Write); err != nil && failed == nil {
				failed = err
			}
		}
	})
	if failed != nil {
		return Result{}, failed
	}
	allowed := map[seedling.Role]map[string]bool{seedling.RoleSecretary: {authz.Ledger + ":" + authz.Write: true}}
	raw := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := principals[i%len(principals)]
			path := p.Grants[0].OrgPath + strconv.Itoa(i) + "/"
			ok := false
			for _, g := range p.Grants {
				if allowed[g.Role][authz.Ledger+":"+authz.Write] && strings.HasPrefix(path, g.OrgPath) {
					ok = true
				}
			}
			if !ok {
				b.Fatal("denied")
			}
		}
	})
	res := Result{App: float64(app.NsPerOp()), Raw: float64(raw.NsPerOp()), Unit: "ns/op",
		Note: fmt.Sprintf("%d allocs/op (raw %d), %d grants, policy loaded in %s", app.AllocsPerOp(), raw.AllocsPerOp(), cfg.Grants, load.Round(time.Microsecond))}
	if res.App > 0 {
		res.Ratio = res.Raw / res.App
	}
	return res, nil
}
