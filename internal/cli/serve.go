package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"seedling/internal/authz"
	"seedling/internal/pipeline"
	"seedling/internal/web"
)

func serve(ctx context.Context, env *environment, args []string) error {
	fs, dbf := commandFlags(env, "serve")
	var evf evidenceFlags
	evf.register(fs, env, true)
	addr := fs.String("addr", envOr(env, "SEEDLING_ADDR", "127.0.0.1:8080"), "listen address (env SEEDLING_ADDR)")
	demo := fs.Bool("demo", false, "load the demo data and demo accounts before serving")
	noMigrate := fs.Bool("no-migrate", false, "do not apply pending migrations at start")
	proxies := fs.String("trusted-proxies", env.getenv("SEEDLING_TRUSTED_PROXIES"), "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed (env SEEDLING_TRUSTED_PROXIES)")
	secure := fs.Bool("secure-cookies", env.getenv("SEEDLING_SECURE_COOKIES") == "true", "mark cookies Secure (set when TLS ends at a proxy; env SEEDLING_SECURE_COOKIES=true)")
	idle := fs.Duration("session-idle", 30*time.Minute, "a session unused this long ends")
	absolute := fs.Duration("session-max", 12*time.Hour, "no session lives longer than this")
	drainDelay := fs.Duration("drain-delay", 0, "on SIGTERM, keep serving this long with /readyz at 503 so a load balancer moves traffic away")
	shutdownTimeout := fs.Duration("shutdown-timeout", 20*time.Second, "on SIGTERM, wait at most this long for requests in flight")
	rulesDir := rulesDir(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	reg, err := pipeline.LoadRegistry(*rulesDir)
	if err != nil {
		return err
	}

	started := time.Now()
	db, err := openDatabase(ctx, env, *dbf)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*noMigrate {
		if err := db.MigrateUp(ctx, env.log); err != nil {
			return err
		}
	}
	if *demo {
		if err := loadDemo(ctx, env, db.DB); err != nil {
			return err
		}
	}
	// Serve through the login role, which cannot rewrite history; the
	// owner pool above was only for migrating and seeding.
	appDB, err := servingPool(ctx, env, db)
	if err != nil {
		return err
	}
	defer appDB.Close()
	appDB.Rules = reg // the stores' checks read the rules the pages read
	// Another instance adding a rubric version reaches this one's cache
	// through NOTIFY; without the listener the cache stays off.
	if err := appDB.ListenForChanges(ctx, env.log); err != nil {
		env.log.Warn("no change listener: rubric read from the database on every request", "err", err)
	}
	az, err := authz.New()
	if err != nil {
		return err
	}
	sessions := appDB.Sessions()
	sessions.Idle, sessions.Absolute = *idle, *absolute
	srv, err := web.New(web.Config{Addr: *addr, TrustedProxies: splitList(*proxies), SecureCookies: *secure,
		EvidenceMaxBytes: evf.maxBytes()},
		web.Deps{DB: appDB, Sessions: sessions, Authz: az, Log: env.log, Evidence: evf.store(), Rules: reg})
	if err != nil {
		return err
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Listen() }()
	go sweepSessions(ctx, env, sessions.Sweep)
	env.log.Info("serving", "addr", "http://"+*addr, "startup_ms", time.Since(started).Milliseconds())
	if *demo {
		printDemoAccounts(env, *addr)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("cannot serve on %s: %v", *addr, err)
	case <-ctx.Done():
	}
	// Drain, then stop; the deferred closes stop the embedded PostgreSQL
	// with a fast shutdown once no request needs it.
	env.log.Info("shutting down", "drain_delay", drainDelay.String(), "timeout", shutdownTimeout.String())
	srv.Drain()
	time.Sleep(*drainDelay)
	if err := srv.Shutdown(*shutdownTimeout); err != nil {
		env.log.Warn("shutdown", "err", err)
	}
	return nil
}

// sweepSessions clears dead sessions every few minutes.
func sweepSessions(ctx context.Context, env *environment, sweep func(context.Context) error) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := sweep(ctx); err != nil {
				env.log.Warn("session sweep", "err", err)
			}
		}
	}
}

func envOr(env *environment, key, def string) string {
	if v := env.getenv(key); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
