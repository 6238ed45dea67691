package postgres_test

import (
	"testing"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
	"seedling/internal/testdb"
)

// BenchmarkSessionLookup is the per-request cost of knowing the caller —
// session, user and grants with their node paths — in a deployment with
// 2,000 nodes and 100,000 grants. Scope decisions then need no database
// (see internal/authz's BenchmarkCheck).
func BenchmarkSessionLookup(b *testing.B) {
	db := testdb.New(b)
	ctx := b.Context()
	if _, err := db.Exec(`
		INSERT INTO orgs (kind, name) VALUES ('city', '市');
		INSERT INTO orgs (parent_id, kind, name) SELECT 1, 'committee', '委' || g FROM generate_series(1, 40) g;
		INSERT INTO orgs (parent_id, kind, name) SELECT 2 + (g % 40), 'branch', '支部' || g FROM generate_series(1, 1959) g;
		INSERT INTO users (username, display_name, password_hash) SELECT 'u' || g, '用户' || g, 'x' FROM generate_series(1, 100000) g;
		INSERT INTO grants (user_id, role, org_id) SELECT id, 'secretary', 42 + (id % 1959) FROM users;
		ANALYZE;`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Users().Create(ctx, seedling.Actor{Username: "bench"}, postgresNewUser("benchuser")); err != nil {
		b.Fatal(err)
	}
	if err := db.Users().Grant(ctx, seedling.Administrator{Actor: seedling.Actor{Username: "bench"}, Everywhere: true}, "benchuser", seedling.RoleSecretary, 100); err != nil {
		b.Fatal(err)
	}
	sess, err := db.Sessions().Login(ctx, "benchuser", "bench password 123", seedling.Actor{})
	if err != nil {
		b.Fatal(err)
	}
	lookups := func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Sessions().Lookup(ctx, sess.Token); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Without a listener every lookup is the statement; with one, a
	// session seen in the last minute is served from memory.
	b.Run("statement", lookups)
	if err := db.ListenForChanges(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", lookups)
}

func postgresNewUser(name string) postgres.NewUser {
	return postgres.NewUser{Username: name, Password: "bench password 123"}
}
