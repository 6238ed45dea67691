package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type statsPage struct {
	postgres.Stats
	Stages []seedling.Stage
	Max    int // the longest bar, for scaling
}

// statsPage shows a committee's figures as tables with bars drawn on the
// server: no chart library, nothing fetched from outside.
func (s *Server) statsPage(c *fiber.Ctx) error {
	st, err := s.stats(c)
	if err != nil {
		return err
	}
	data := statsPage{Stats: st, Stages: seedling.Stages, Max: 1}
	for _, n := range st.ByStage {
		data.Max = max(data.Max, n)
	}
	return s.render(c, fiber.StatusOK, "stats", "stats.title", data)
}
