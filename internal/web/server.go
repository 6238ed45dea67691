// Package web serves Seedling over HTTP: the JSON API under /api/v1 and the
// server-rendered UI. Every route is listed once in routes.go; errors of every
// kind become one JSON or HTML shape in errors.go.
package web

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"seedling/internal/authz"
	"seedling/internal/evidence"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
)

// Config is what an operator can set for the HTTP side.
type Config struct {
	Addr           string
	TrustedProxies []string // c.IP() reads X-Forwarded-For only from these
	SecureCookies  bool     // mark cookies Secure even when TLS ends at a proxy
	BodyLimit      int      // largest request body, in bytes
	// EvidenceMaxBytes bounds one evidence file (default 20 MiB) and
	// ImportMaxBytes one bulk-entry spreadsheet (default 10 MiB); their
	// routes alone accept bodies larger than BodyLimit (see bodyLimits).
	EvidenceMaxBytes int64
	ImportMaxBytes   int64
}

// Server holds what the handlers need. It is built once by main and carries
// no global state, so tests can run many side by side.
type Server struct {
	cfg      Config
	db       *postgres.DB
	sessions *postgres.SessionStore
	authz    *authz.Authorizer
	registry *pipeline.Registry
	evidence evidence.Store
	log      *slog.Logger
	ui       *renderer
	metrics  *metrics
	App      *fiber.App
	draining atomic.Bool // set by Shutdown: /readyz answers 503
}

// Deps are the collaborators main wires in.
type Deps struct {
	DB       *postgres.DB
	Sessions *postgres.SessionStore
	Authz    *authz.Authorizer
	Rules    *pipeline.Registry // nil: the rules shipped with this build
	Evidence evidence.Store     // where evidence files live; nil refuses uploads
	Log      *slog.Logger
}

// New builds the Fiber app with its middleware and every route.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	ui, err := newRenderer()
	if err != nil {
		return nil, err
	}
	if d.Rules == nil {
		d.Rules = pipeline.DefaultRegistry()
	}
	if cfg.EvidenceMaxBytes == 0 {
		cfg.EvidenceMaxBytes = evidence.DefaultMaxBytes
	}
	if cfg.ImportMaxBytes == 0 {
		cfg.ImportMaxBytes = 10 << 20
	}
	s := &Server{cfg: cfg, db: d.DB, sessions: d.Sessions, authz: d.Authz, registry: d.Rules, evidence: d.Evidence, log: d.Log, ui: ui, metrics: newMetrics()}
	s.App = fiber.New(fiber.Config{
		// Immutable copies every string Fiber hands out, so a value kept in
		// an audit row or a goroutine can never change under us.
		Immutable:               true,
		BodyLimit:               cfg.BodyLimit,
		ErrorHandler:            s.handleError,
		DisableStartupMessage:   true,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		ProxyHeader:             fiber.HeaderXForwardedFor,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		AppName:                 "seedling",
	})
	s.App.Use(requestid.New(requestid.Config{Generator: newRequestID}))
	s.App.Use(s.observe)
	s.App.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.routes()
	s.App.Server().HeaderReceived = s.bodyLimits
	return s, nil
}

// Listen serves until Shutdown is called.
func (s *Server) Listen() error { return s.App.Listen(s.cfg.Addr) }

// Shutdown stops accepting connections and waits for requests in flight,
// at most timeout; see Drain for what comes before.
func (s *Server) Shutdown(timeout time.Duration) error {
	s.Drain()
	return s.App.ShutdownWithTimeout(timeout)
}
