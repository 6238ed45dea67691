package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// routes is the one table of every route Seedling serves. Authorisation is
// visible here: the guard in front of a handler says who may call it, and
// handlers that load an object check its node against the caller's scope on
// their first line.
func (s *Server) routes() {
	app := s.App

	// Machine endpoints: no session, no UI.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/api/v1/openapi.json", s.openapi)

	// Static assets are embedded and immutable per build.
	app.Use("/static", filesystem.New(filesystem.Config{
		Root: mustSub(assets, "static"), MaxAge: int((24 * time.Hour).Seconds()),
	}))

	// Everything below knows its caller, if any.
	app.Use(s.authenticate)

	// Identity.
	app.Post("/api/v1/login", s.apiLogin)
	app.Post("/api/v1/logout", s.loggedIn, s.apiLogout)
	app.Get("/api/v1/me", s.loggedIn, s.apiMe)
	app.Post("/api/v1/me/password", s.loggedIn, s.apiChangeOwnPassword)
	app.Get("/login", s.loginPage)
	app.Post("/login", s.loginSubmit)
	app.Post("/logout", s.logoutSubmit)
	app.Get("/lang/:lang", s.switchLanguage)

	// Accounts: the organisation department (checks in the handlers, since
	// a grant's node must lie inside the administrator's own subtree).
	app.Get("/api/v1/users", s.loggedIn, s.apiUsers)
	app.Post("/api/v1/users", s.loggedIn, s.apiCreateUser)
	app.Post("/api/v1/users/:username/grants", s.loggedIn, s.apiGrant)
	app.Post("/api/v1/users/:username/grants/revoke", s.loggedIn, s.apiRevoke)
	app.Post("/api/v1/users/:username/password", s.loggedIn, s.apiSetPassword)
	app.Post("/api/v1/users/:username/disable", s.loggedIn, s.apiDisable)
	app.Post("/api/v1/users/:username/enable", s.loggedIn, s.apiEnable)

	// Organisation tree and candidates: scope checked against each object.
	app.Get("/api/v1/orgs", s.loggedIn, s.apiOrgs)
	app.Post("/api/v1/orgs", s.loggedIn, s.apiCreateOrg)
	app.Post("/api/v1/orgs/:id/move", s.loggedIn, s.apiMoveOrg)
	app.Get("/api/v1/candidates", s.loggedIn, s.apiCandidates)
	app.Post("/api/v1/candidates", s.loggedIn, s.apiCreateCandidate)
	app.Get("/api/v1/candidates/:id", s.loggedIn, s.apiCandidate)

	// Audit trail: committees and the organisation department, their subtree.
	app.Get("/api/v1/audit", s.loggedIn, s.apiAudit)

	// Pages.
	app.Get("/", s.loggedIn, s.homePage)
	app.Get("/audit", s.loggedIn, s.auditPage)
	app.Get("/admin/users", s.loggedIn, s.accountsPage)
	app.Post("/admin/users", s.loggedIn, s.accountCreate)
	app.Post("/admin/users/grants", s.loggedIn, s.accountGrant)
	app.Post("/admin/users/disable", s.loggedIn, s.accountDisable)

	// Anything else is a clean 404 in the caller's shape.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
