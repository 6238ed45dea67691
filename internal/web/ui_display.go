package web

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

// publishNode is a node where the caller may take a display.
type publishNode struct {
	ID   int64
	Name string
}

type displaysView struct {
	Displays    []display.Display
	Nodes       []publishNode
	Period      string // suggested: the last quarter that has ended
	CanOverview bool
}

// displaysPage lists the displays in the caller's scope and offers the
// secretary or group leader the form that takes a new one.
func (s *Server) displaysPage(c *fiber.Ctx) error {
	return s.renderDisplays(c, fiber.StatusOK, nil)
}

func (s *Server) renderDisplays(c *fiber.Ctx, status int, formErr *seedling.Error) error {
	if _, err := s.authorizeRole(c, authz.Display, authz.Read); err != nil {
		return err
	}
	f := s.displayScope(c)
	f.Limit = 100
	list, err := s.db.Displays().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	v := displaysView{Displays: list, Period: display.LastEnded(s.today()).String()}
	for _, g := range currentSession(c).Principal.Grants {
		if s.authz.RoleMay(g.Role, authz.Display, authz.Publish) {
			v.Nodes = append(v.Nodes, publishNode{ID: g.OrgID, Name: g.OrgName})
		}
		if g.Role == seedling.RoleCommittee || g.Role == seedling.RoleOrgAdmin {
			v.CanOverview = true
		}
	}
	return s.renderForm(c, status, "displays", "display.list_title", v, formErr)
}

// displayCreate takes a draft from the page's form and shows its preview.
func (s *Server) displayCreate(c *fiber.Ctx) error {
	id, err := formID(c, "org_id")
	if err != nil {
		return s.renderDisplays(c, fiber.StatusBadRequest, s.shown(c, err))
	}
	d, err := s.createDisplay(c, createDisplayRequest{OrgID: id, Period: c.FormValue("period")})
	if de := s.shown(c, err); err != nil && (de.Code == seedling.EInvalid || de.Code == seedling.ERule || de.Code == seedling.EConflict) {
		return s.renderDisplays(c, statusOf[de.Code], de)
	}
	if err != nil {
		return err
	}
	return s.redirectWith(c, fmt.Sprintf("/displays/%d", d.ID), "flash.display_created")
}

type displayView struct {
	D          displayJSON
	Dims       []string
	Names      map[int64]string
	CanPublish bool
	CanObject  bool
	CanResolve bool
	// LedgerLinks: the correcting entries of an upheld objection link to
	// the ledger only for readers who may open it; a member sees numbers.
	LedgerLinks bool
	Open        bool
	Upheld      int
	Categories  []categoryChoice
	Today       string
}

type categoryChoice struct{ Code, Name string }

// displayPage shows one display: the preview of a draft, the rows, the
// objections and their answers, and the forms the caller may use.
func (s *Server) displayPage(c *fiber.Ctx) error {
	return s.renderDisplay(c, fiber.StatusOK, nil)
}

func (s *Server) renderDisplay(c *fiber.Ctx, status int, formErr *seedling.Error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderDisplayID(c, id, status, formErr)
}

func (s *Server) renderDisplayID(c *fiber.Ctx, id int64, status int, formErr *seedling.Error) error {
	d, _, err := s.loadDisplayID(c, id, authz.Read)
	if err != nil {
		return err
	}
	full, err := s.fullDisplay(c, d)
	if err != nil {
		return err
	}
	v := displayView{D: full, Names: map[int64]string{}, Open: d.Open(s.today()), Today: s.today().Format(seedling.DateLayout),
		CanPublish:  s.mayAt(c, d.OrgPath, authz.Display, authz.Publish),
		CanObject:   s.mayAt(c, d.OrgPath, authz.Objection, authz.Create),
		CanResolve:  s.mayAt(c, d.OrgPath, authz.Objection, authz.Resolve),
		LedgerLinks: s.mayAt(c, d.OrgPath, authz.Ledger, authz.Read)}
	for _, r := range d.Rows {
		v.Names[r.CandidateID] = r.Name
	}
	for _, o := range full.Objections {
		if o.State == display.ObjectionUpheld {
			v.Upheld++
		}
	}
	r, names, err := s.rubricNow(c)
	if err != nil {
		return err
	}
	v.Dims = dimensionHeads(d, names)
	for _, cat := range r.Categories {
		v.Categories = append(v.Categories, categoryChoice{Code: cat.Code, Name: pickName(langEn(c), cat.NameZh, cat.NameEn)})
	}
	return s.renderForm(c, status, "display", "display.title", v, formErr)
}

// displayAction runs publish, discard or reissue from the page.
func (s *Server) displayAction(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d, a, err := s.loadDisplay(c, authz.Publish)
		if err != nil {
			return err
		}
		ctx, target := c.UserContext(), d.ID
		switch action {
		case "publish":
			_, err = s.db.Displays().Publish(ctx, a, d.ID)
		case "discard":
			err = s.db.Displays().Discard(ctx, a, d.ID)
		case "reissue":
			var nd display.Display
			if nd, _, err = s.db.Displays().Reissue(ctx, a, d.ID, s.registry); err == nil {
				target = nd.ID
			}
		}
		if de := s.shown(c, err); err != nil && de.Code != seedling.EInternal && de.Code != seedling.ENotFound {
			return s.renderDisplay(c, statusOf[de.Code], de)
		}
		if err != nil {
			return err
		}
		if action == "discard" {
			return s.redirectWith(c, "/displays", "flash.display_discard")
		}
		return s.redirectWith(c, fmt.Sprintf("/displays/%d", target), "flash.display_"+action)
	}
}

// displayObject raises an objection from the page's form, with an
// optional evidence file.
func (s *Server) displayObject(c *fiber.Ctx) error {
	id, err := formID(c, "candidate_id")
	if err != nil {
		return s.renderDisplay(c, fiber.StatusBadRequest, s.shown(c, err))
	}
	req := raiseRequest{CandidateID: id, Text: c.FormValue("text"), Channel: c.FormValue("channel"), From: c.FormValue("from")}
	_, err = s.raiseObjection(c, req, isMultipart(c))
	if de := s.shown(c, err); err != nil && (de.Code == seedling.EInvalid || de.Code == seedling.ERule || de.Code == seedling.ETooLarge || de.Code == seedling.EUnsupported) {
		return s.renderDisplay(c, statusOf[de.Code], de)
	}
	if err != nil {
		return err
	}
	return s.redirectWith(c, c.Path()[:len(c.Path())-len("/objections")], "flash.objection_raised")
}

// objectionResolve answers an objection from the display page.
func (s *Server) objectionResolve(c *fiber.Ctx) error {
	req := resolutionRequest{Decision: c.FormValue("decision"), Reason: c.FormValue("reason")}
	if cat := c.FormValue("category"); cat != "" {
		corr := &correctionJSON{Category: cat, OccurredOn: c.FormValue("occurred_on"), Description: c.FormValue("description")}
		if p, err := strconv.Atoi(c.FormValue("points")); err == nil {
			corr.Points = &p
		}
		req.Correction = corr
	}
	if id, err := formID(c, "reverse_entry_id"); err != nil {
		return s.renderDisplay(c, fiber.StatusBadRequest, s.shown(c, err))
	} else if id != 0 {
		req.ReverseEntryID = &id
	}
	o, err := s.resolveObjection(c, req)
	if err != nil {
		de := s.shown(c, err)
		if de.Code == seedling.EInternal || de.Code == seedling.ENotFound || de.Code == seedling.EForbidden {
			return err
		}
		id, _ := pathID(c, "id")
		if n, nerr := s.db.Notices().NoticeOf(c.UserContext(), id); nerr == nil {
			return s.renderNotices(c, n.CandidateID, statusOf[de.Code], de)
		}
		_, d, lerr := s.db.Displays().Objection(c.UserContext(), id)
		if lerr != nil {
			return err
		}
		return s.renderDisplayID(c, d.ID, statusOf[de.Code], de)
	}
	if o.NoticeID != 0 {
		return s.redirectWith(c, fmt.Sprintf("/candidates/%d/notices", o.CandidateID), "flash.objection_resolved")
	}
	return s.redirectWith(c, fmt.Sprintf("/displays/%d", o.DisplayID), "flash.objection_resolved")
}

// rubricNow is the rubric in force today with its dimensions' names in the
// reader's language, keyed by code.
func (s *Server) rubricNow(c *fiber.Ctx) (ledger.Rubric, map[string]string, error) {
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return ledger.Rubric{}, nil, err
	}
	r, _ := rubrics.InForce(currentPeriod(s))
	names := map[string]string{}
	for _, dim := range r.Dimensions {
		names[dim.Code] = pickName(langEn(c), dim.NameZh, dim.NameEn)
	}
	return r, names, nil
}

// dimensionHeads names the dimension columns of a display's table.
func dimensionHeads(d display.Display, names map[string]string) []string {
	var out []string
	if len(d.Rows) > 0 {
		for _, dim := range d.Rows[0].Dimensions {
			out = append(out, names[dim.Code])
		}
	}
	return out
}
