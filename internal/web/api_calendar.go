package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

// apiWorkdays answers the N working days counted from a date, on China's
// official calendar with the organisation department's overrides. Anyone
// logged in may ask: the calendar is public knowledge.
func (s *Server) apiWorkdays(c *fiber.Ctx) error {
	from, err := calendar.ParseDay("from", c.Query("from"))
	if err != nil {
		return err
	}
	n, err := queryInt(c, "days", 1, 1, calendar.MaxDays)
	if err != nil {
		return err
	}
	cal, err := s.db.Calendar().Load(c.UserContext())
	if err != nil {
		return err
	}
	days, err := cal.Workdays(from, int(n))
	if err != nil {
		return err
	}
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(seedling.DateLayout)
	}
	return c.JSON(fiber.Map{"from": from.Format(seedling.DateLayout), "days": n, "until": out[len(out)-1], "dates": out})
}

type overrideJSON struct {
	Day     string `json:"day"`
	Workday bool   `json:"workday"`
	Note    string `json:"note"`
}

// apiCalendarOverrides lists the overrides in force.
func (s *Server) apiCalendarOverrides(c *fiber.Ctx) error {
	list, err := s.db.Calendar().Overrides(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]overrideJSON, len(list))
	for i, o := range list {
		out[i] = overrideJSON{Day: o.Day.Format(seedling.DateLayout), Workday: o.Workday, Note: o.Note}
	}
	return c.JSON(fiber.Map{"overrides": out})
}

type overrideRequest struct {
	Day     string `json:"day"`
	Workday *bool  `json:"workday"` // null: back to the official calendar
	Note    string `json:"note"`
}

// apiSetCalendarDay lets the organisation department set one day.
func (s *Server) apiSetCalendarDay(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Calendar, authz.Write)
	if err != nil {
		return err
	}
	var req overrideRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	day, err := s.setCalendarDay(c, a, req)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"day": day.Format(seedling.DateLayout), "workday": req.Workday, "note": req.Note})
}

func (s *Server) setCalendarDay(c *fiber.Ctx, a seedling.Actor, req overrideRequest) (time.Time, error) {
	day, err := calendar.ParseDay("day", req.Day)
	if err != nil {
		return time.Time{}, err
	}
	return day, s.db.Calendar().Set(c.UserContext(), a, day, req.Workday, req.Note)
}
