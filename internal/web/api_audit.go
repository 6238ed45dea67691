package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// apiAudit returns the audit trail of the caller's subtree, or of one node
// inside it, newest first, a keyset page at a time; `before` starts the
// walk at a moment.
func (s *Server) apiAudit(c *fiber.Ctx) error {
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	events, err := s.db.Audit().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []seedling.Event{}
	}
	return c.JSON(fiber.Map{"events": events, "next": nextOf(f.Page)})
}

// auditFilter turns the query into a filter confined to the caller's scope.
// Events tied to no node (logins, account changes made on the command line)
// are shown only to those who audit from the root of the tree.
func (s *Server) auditFilter(c *fiber.Ctx) (postgres.AuditFilter, error) {
	if _, err := s.authorizeRole(c, authz.Audit, authz.Read); err != nil {
		return postgres.AuditFilter{}, err
	}
	roots := s.roots(c, authz.Audit, authz.Read)
	page, err := queryPage(c)
	if err != nil {
		return postgres.AuditFilter{}, err
	}
	f := postgres.AuditFilter{Roots: roots, Page: page}
	for _, r := range roots {
		if strings.Count(r, "/") == 2 {
			f.IncludeUnscoped = true
		}
	}
	if id, err := queryID(c, "org_id"); err != nil {
		return f, err
	} else if id != 0 {
		org, err := s.db.Orgs().ByID(c.UserContext(), id)
		if err != nil {
			return f, err
		}
		if _, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Audit, authz.Read); err != nil {
			return f, err
		}
		f.Roots, f.IncludeUnscoped = []string{org.Path}, false
	}
	if v := c.Query("before"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return f, seedling.FieldProblem(seedling.EInvalid, "before", "problem.time_format", "before must be an RFC 3339 time")
		}
		f.Before = &t
	}
	return f, nil
}
