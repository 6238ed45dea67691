package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers as long as the process serves requests.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 only when the database is reachable and fully migrated,
// so a load balancer keeps traffic away from an instance that would fail.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.db.Ready(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(errorBody{Error: errorDetail{Code: "unavailable", Message: asDomain(err).Message}})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
