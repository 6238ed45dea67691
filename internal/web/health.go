package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// healthz answers as long as the process serves requests.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// Drain makes /readyz answer 503 from now on, so that a load balancer stops
// sending work to an instance that is about to stop, while it still serves.
func (s *Server) Drain() { s.draining.Store(true) }

// readyz answers 200 only when the database is reachable and fully migrated
// and the instance is not draining, so a load balancer keeps traffic away
// from an instance that would fail or is stopping.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	var err error = seedling.Errorf(seedling.EUnavailable, "shutting down").Keyed("error.shutting_down")
	if !s.draining.Load() {
		err = s.db.Ready(ctx)
	}
	if err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(errorBody{Error: errorDetail{Code: "unavailable", Message: asDomain(err).Message}})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
