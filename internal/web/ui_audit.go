package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

type auditPage struct {
	Events []seedling.Event
	OrgID  string
	Older  string // `before` value of the next page
}

// auditPage shows the audit trail of the caller's subtree, with the same
// filters as the API, fifty rows at a time.
func (s *Server) auditPage(c *fiber.Ctx) error {
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	f.Page, f.Limit = nil, 50 // the screen pages by time (`before`)
	events, err := s.db.Audit().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	data := auditPage{Events: events, OrgID: c.Query("org_id")}
	if len(events) == f.Limit {
		data.Older = events[len(events)-1].At.Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return s.render(c, fiber.StatusOK, "audit", "audit.title", data)
}
