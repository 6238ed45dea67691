package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/display"
)

// myObjection is one objection the caller raised, with where it was raised.
type myObjection struct {
	display.Objection
	Display display.Display
	Name    string
}

// displayStart is the display block of the start page: the displays whose
// window is open now, and the outcome of each objection the caller raised.
type displayStart struct {
	Open []display.Display
	Mine []myObjection
}

func (s *Server) displayStart(c *fiber.Ctx) (displayStart, error) {
	var out displayStart
	ctx := c.UserContext()
	// Published displays only: a start page is no place for drafts.
	f := s.displayScope(c)
	f.DraftRoots, f.Limit = nil, 20
	if len(f.Roots) > 0 || len(f.Nodes) > 0 {
		list, err := s.db.Displays().List(ctx, f)
		if err != nil {
			return out, err
		}
		for _, d := range list {
			if d.Open(s.today()) {
				out.Open = append(out.Open, d)
			}
		}
	}
	sess := currentSession(c)
	mine, err := s.db.Displays().RaisedBy(ctx, sess.Principal.User.ID)
	if err != nil {
		return out, err
	}
	for i := len(mine) - 1; i >= 0 && len(out.Mine) < 20; i-- {
		o := mine[i]
		_, d, err := s.db.Displays().Objection(ctx, o.ID)
		if err != nil {
			return out, err
		}
		name, _ := s.db.Displays().RowName(ctx, o.DisplayID, o.CandidateID)
		out.Mine = append(out.Mine, myObjection{Objection: o, Display: d, Name: name})
	}
	return out, nil
}
