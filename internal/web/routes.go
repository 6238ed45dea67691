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

	// The development pipeline: the branch proposes, the committee decides.
	app.Get("/api/v1/candidates/:id/next-steps", s.loggedIn, s.apiNextSteps)
	app.Post("/api/v1/candidates/:id/submissions", s.loggedIn, s.apiSubmit)
	app.Post("/api/v1/candidates/:id/political-review", s.loggedIn, s.apiPoliticalReview)
	app.Post("/api/v1/candidates/:id/records", s.loggedIn, s.apiRecord)
	app.Get("/api/v1/submissions", s.loggedIn, s.apiSubmissions)
	app.Post("/api/v1/submissions/:id/decision", s.loggedIn, s.apiDecide)
	app.Get("/api/v1/filings", s.loggedIn, s.apiFilings)
	app.Post("/api/v1/filings/:id/acknowledge", s.loggedIn, s.apiAcknowledgeFiling)
	app.Get("/api/v1/quotas", s.loggedIn, s.apiQuotas)
	app.Post("/api/v1/quotas", s.loggedIn, s.apiSetQuota)
	app.Get("/api/v1/candidates/:id/timeline", s.loggedIn, s.apiTimeline)
	app.Get("/api/v1/candidates/:id/timeline.xlsx", s.loggedIn, s.apiTimelineXLSX)
	app.Get("/api/v1/orgs/:id/ranking", s.loggedIn, s.apiRanking)
	app.Get("/api/v1/due", s.loggedIn, s.apiDue)
	app.Get("/api/v1/stats", s.loggedIn, s.apiStats)

	// The points ledger: the rubric (organisation department), append-only
	// ledgers with evidence, scores, rosters and bulk entry (the branch).
	// Each handler checks its object's node first: loadCandidate, loadEntry,
	// loadOrg, or authorizeRole for the city-wide rubric.
	app.Get("/api/v1/rubric", s.loggedIn, s.apiRubric)
	app.Get("/api/v1/rubric/versions", s.loggedIn, s.apiRubricVersions)
	app.Post("/api/v1/rubric", s.loggedIn, s.apiCreateRubric)
	app.Get("/api/v1/candidates/:id/ledger", s.loggedIn, s.apiLedger)
	app.Post("/api/v1/candidates/:id/ledger", s.loggedIn, s.apiRecordEntry)
	app.Get("/api/v1/candidates/:id/ledger.xlsx", s.loggedIn, s.apiExportLedger)
	app.Get("/api/v1/candidates/:id/score", s.loggedIn, s.apiScore)
	app.Post("/api/v1/ledger/:entry_id/reverse", s.loggedIn, s.apiReverseEntry)
	app.Post("/api/v1/ledger/:entry_id/evidence", s.loggedIn, s.apiAttachEvidence)
	app.Get("/api/v1/evidence/:id", s.loggedIn, s.apiEvidence)
	app.Get("/api/v1/orgs/:id/roster", s.loggedIn, s.apiRoster)
	app.Post("/api/v1/orgs/:id/ledger-keeper", s.loggedIn, s.apiNameKeeper)
	app.Get("/api/v1/orgs/:id/ledger.xlsx", s.loggedIn, s.apiExportOrgLedgers)
	app.Get("/api/v1/orgs/:id/ledger/template", s.loggedIn, s.apiImportTemplate)
	app.Post("/api/v1/orgs/:id/ledger/import", s.loggedIn, s.apiImport)
	app.Get("/rubric", s.loggedIn, s.rubricPage)
	app.Post("/rubric", s.loggedIn, s.rubricCreate)
	app.Get("/branches", s.loggedIn, s.branchesPage)
	app.Get("/branches/:id/roster", s.loggedIn, s.rosterPage)
	app.Post("/branches/:id/keeper", s.loggedIn, s.keeperSubmit)
	app.Get("/branches/:id/import", s.loggedIn, s.importPage)
	app.Post("/branches/:id/import", s.loggedIn, s.importSubmit)
	app.Get("/candidates/:id/ledger", s.loggedIn, s.ledgerPage)
	app.Post("/candidates/:id/ledger", s.loggedIn, s.ledgerRecord)
	app.Post("/candidates/:id/ledger/:entry_id/reverse", s.loggedIn, s.ledgerReverse)
	app.Post("/candidates/:id/ledger/:entry_id/evidence", s.loggedIn, s.ledgerAttach)
	app.Get("/me/score", s.loggedIn, s.myScorePage)

	// The public display (公示) and its objections: each handler loads the
	// display or objection and checks its node first (loadDisplay,
	// resolveObjection); drafts exist only for those who may publish.
	app.Post("/api/v1/displays", s.loggedIn, s.apiCreateDisplay)
	app.Get("/api/v1/displays", s.loggedIn, s.apiDisplays)
	app.Get("/api/v1/displays/:id", s.loggedIn, s.apiDisplay)
	app.Post("/api/v1/displays/:id/publish", s.loggedIn, s.apiPublishDisplay)
	app.Post("/api/v1/displays/:id/discard", s.loggedIn, s.apiDiscardDisplay)
	app.Post("/api/v1/displays/:id/reissue", s.loggedIn, s.apiReissueDisplay)
	app.Post("/api/v1/displays/:id/objections", s.loggedIn, s.apiRaiseObjection)
	app.Post("/api/v1/objections/:id/resolution", s.loggedIn, s.apiResolveObjection)
	app.Get("/api/v1/objections/:id/evidence", s.loggedIn, s.apiObjectionEvidence)
	// Pre-admission notices (公示 of a person): loadNotice / noticeCandidate
	// check the person's node first; objections to a notice are answered
	// through the objection resolution route above.
	app.Post("/api/v1/candidates/:id/notices", s.loggedIn, s.apiPublishNotice)
	app.Get("/api/v1/candidates/:id/notices", s.loggedIn, s.apiNotices)
	app.Get("/api/v1/notices/:id", s.loggedIn, s.apiNotice)
	app.Post("/api/v1/notices/:id/objections", s.loggedIn, s.apiRaiseNoticeObjection)
	app.Get("/candidates/:id/notices", s.loggedIn, s.noticesPage)
	app.Post("/candidates/:id/notices", s.loggedIn, s.noticePublish)
	app.Post("/notices/:id/objections", s.loggedIn, s.noticeObject)
	app.Get("/api/v1/displays/:id/rows.xlsx", s.loggedIn, s.apiDisplayXLSX)
	app.Get("/api/v1/display-overview", s.loggedIn, s.apiDisplayOverview)
	app.Get("/api/v1/display-overview.xlsx", s.loggedIn, s.apiDisplayOverviewXLSX)
	app.Post("/api/v1/orgs/:id/display-settings", s.loggedIn, s.apiDisplaySettings)
	app.Get("/displays", s.loggedIn, s.displaysPage)
	app.Post("/displays", s.loggedIn, s.displayCreate)
	app.Get("/displays-overview", s.loggedIn, s.overviewPage)
	app.Get("/displays/:id", s.loggedIn, s.displayPage)
	app.Get("/displays/:id/notice", s.loggedIn, s.noticePage)
	app.Post("/displays/:id/publish", s.loggedIn, s.displayAction("publish"))
	app.Post("/displays/:id/discard", s.loggedIn, s.displayAction("discard"))
	app.Post("/displays/:id/reissue", s.loggedIn, s.displayAction("reissue"))
	app.Post("/displays/:id/objections", s.loggedIn, s.displayObject)
	app.Post("/objections/:id/resolution", s.loggedIn, s.objectionResolve)

	// The working-day calendar: anyone logged in reads it; the organisation
	// department sets days (authorizeRole in the handlers).
	app.Get("/api/v1/calendar/workdays", s.loggedIn, s.apiWorkdays)
	app.Get("/api/v1/calendar/overrides", s.loggedIn, s.apiCalendarOverrides)
	app.Post("/api/v1/calendar/overrides", s.loggedIn, s.apiSetCalendarDay)
	app.Get("/calendar", s.loggedIn, s.calendarPage)
	app.Post("/calendar", s.loggedIn, s.calendarSubmit)

	// Audit trail: committees and the organisation department, their subtree.
	app.Get("/api/v1/audit", s.loggedIn, s.apiAudit)

	// Pages.
	app.Get("/", s.loggedIn, s.homePage)
	app.Get("/me", s.loggedIn, s.mePage)
	app.Get("/me/password", s.loggedIn, s.passwordPage)
	app.Post("/me/password", s.loggedIn, s.passwordSubmit)
	app.Get("/candidates/:id", s.loggedIn, s.candidatePage)
	app.Post("/candidates/:id/submissions", s.loggedIn, s.candidatePropose)
	app.Get("/candidates/:id/timeline", s.loggedIn, s.timelinePage)
	app.Get("/stats", s.loggedIn, s.statsPage)
	app.Get("/branches/:id/ranking", s.loggedIn, s.rankingPage)
	app.Get("/reviews", s.loggedIn, s.reviewsPage)
	app.Get("/reviews/:id", s.loggedIn, s.reviewPage)
	app.Post("/reviews/:id/decision", s.loggedIn, s.reviewDecide)
	app.Post("/filings/:id/acknowledge", s.loggedIn, s.reviewAcknowledge)
	app.Get("/audit", s.loggedIn, s.auditPage)
	app.Get("/admin/users", s.loggedIn, s.accountsPage)
	app.Post("/admin/users", s.loggedIn, s.accountCreate)
	app.Post("/admin/users/grants", s.loggedIn, s.accountGrant)
	app.Post("/admin/users/disable", s.loggedIn, s.accountDisable)

	// Anything else is a clean 404 in the caller's shape.
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}
