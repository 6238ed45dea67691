package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/calendar"
	"seedling/internal/seedling"
)

type calendarView struct {
	Overrides []calendar.Override
	Known     []int // the years whose official holidays the build carries
	Form      overrideRequest
	Choice    string
}

// calendarPage shows the overrides in force and, to the organisation
// department, the form that sets one day.
func (s *Server) calendarPage(c *fiber.Ctx) error {
	return s.renderCalendar(c, fiber.StatusOK, calendarView{Choice: "workday"}, nil)
}

func (s *Server) renderCalendar(c *fiber.Ctx, status int, v calendarView, formErr *seedling.Error) error {
	list, err := s.db.Calendar().Overrides(c.UserContext())
	if err != nil {
		return err
	}
	v.Overrides = list
	for y := s.today().Year() - 1; y <= s.today().Year()+2; y++ {
		if calendar.Known(y) {
			v.Known = append(v.Known, y)
		}
	}
	return s.renderForm(c, status, "calendar", "calendar.title", v, formErr)
}

// calendarSubmit sets one day from the page's form.
func (s *Server) calendarSubmit(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Calendar, authz.Write)
	if err != nil {
		return err
	}
	req := overrideRequest{Day: c.FormValue("day"), Note: c.FormValue("note")}
	choice := c.FormValue("choice")
	switch choice {
	case "workday", "holiday":
		w := choice == "workday"
		req.Workday = &w
	case "official":
	default:
		return s.renderCalendar(c, fiber.StatusBadRequest, calendarView{Form: req, Choice: choice}, seedling.FieldProblem(seedling.EInvalid, "choice", "problem.calendar_choice", "choose workday, holiday or official"))
	}
	if _, err := s.setCalendarDay(c, a, req); err != nil {
		if de := s.shown(c, err); de.Code == seedling.EInvalid {
			return s.renderCalendar(c, fiber.StatusBadRequest, calendarView{Form: req, Choice: choice}, de)
		}
		return err
	}
	return s.redirectWith(c, "/calendar", "flash.calendar_saved", "Day", req.Day)
}
