// Package web serves Seedling over HTTP: the JSON API under /api/v1 and the
// server-rendered UI. Every route is listed once in routes.go; errors of every
// kind become one JSON or HTML shape in errors.go.
package web

import (
	"log/slog"
	"net/netip"
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
	TrustedProxies []string // addresses or CIDR ranges whose X-Forwarded-For is believed (see clientIP)
	SecureCookies  bool     // mark cookies Secure even when TLS ends at a proxy
	BodyLimit      int      // largest request body, in bytes
	// EvidenceMaxBytes bounds one evidence file (default 20 MiB) and
	// ImportMaxBytes one bulk-entry spreadsheet (default 10 MiB); their
	// routes alone accept bodies larger than BodyLimit (see bodyLimits).
	EvidenceMaxBytes int64
	ImportMaxBytes   int64
	// MaxUploads is how many uploads (evidence, imports) are handled at once
	// (default 4); one more is told to come back later (503, Retry-After)
	// rather than queued.
	MaxUploads int
}

// maxHeadBytes bounds a request's head (request line and headers); a longer
// one is refused before routing, in the error shape.
const maxHeadBytes = 4 << 10

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
	trusted  []netip.Prefix
	uploads  chan struct{} // one token per upload in progress
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
	if cfg.MaxUploads == 0 {
		cfg.MaxUploads = 4
	}
	trusted, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: d.DB, sessions: d.Sessions, authz: d.Authz, registry: d.Rules, evidence: d.Evidence, log: d.Log, ui: ui,
		metrics: newMetrics(), trusted: trusted, uploads: make(chan struct{}, cfg.MaxUploads)}
	s.App = fiber.New(fiber.Config{
		// Immutable copies every string Fiber hands out, so a value kept in
		// an audit row or a goroutine can never change under us.
		Immutable:             true,
		BodyLimit:             cfg.BodyLimit,
		ReadBufferSize:        maxHeadBytes,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		// No ProxyHeader: c.IP() stays the peer's address and clientIP
		// reads X-Forwarded-For; the proxy check still governs c.Protocol().
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
		AppName:                 "seedling",
	})
	s.App.Use(requestid.New(requestid.Config{Generator: newRequestID}))
	s.App.Use(s.observe)
	s.App.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.App.Use(s.guard)
	s.routes()
	s.App.Server().HeaderReceived = s.bodyLimits
	s.App.Server().ErrorHandler = s.unreadRequest(s.App.Server().ErrorHandler)
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
