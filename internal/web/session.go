package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// session is the authenticated caller of one request, as the middleware found
// it. CSRF is the token forms must echo.
type session struct {
	Principal *seedling.Principal
	ID        string
	CSRF      string
	ViaCookie bool
}

const sessionKey = "session"

// currentSession returns the caller, or nil for an anonymous request.
func currentSession(c *fiber.Ctx) *session {
	s, _ := c.Locals(sessionKey).(*session)
	return s
}
