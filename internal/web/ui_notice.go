package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/seedling"
)

// noticesView is a person's pre-admission notices page: the secretary
// publishes, members and candidates of the node read and object, the
// branch answers.
type noticesView struct {
	CandidateID   int64
	CandidateName string
	Notices       []noticeJSON
	CanPublish    bool
	CanObject     bool
	CanResolve    bool
	Steps         []string
}

// noticesPage lists the notices of a person with their objections.
func (s *Server) noticesPage(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderNotices(c, id, fiber.StatusOK, nil)
}

func (s *Server) renderNotices(c *fiber.Ctx, candidateID int64, status int, formErr *seedling.Error) error {
	cand, _, err := s.noticeCandidateID(c, candidateID, authz.Display, authz.Read)
	if err != nil {
		return err
	}
	list, err := s.db.Notices().Of(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	v := noticesView{CandidateID: cand.ID, CandidateName: cand.Name, Steps: []string{display.NoticeTarget, display.NoticeAdmission},
		CanPublish: s.may(c, cand, authz.Submission, authz.Create),
		CanObject:  s.mayAt(c, cand.OrgPath, authz.Objection, authz.Create),
		CanResolve: s.mayAt(c, cand.OrgPath, authz.Objection, authz.Resolve)}
	for i := len(list) - 1; i >= 0; i-- { // newest first
		full, err := s.fullNotice(c, list[i])
		if err != nil {
			return err
		}
		v.Notices = append(v.Notices, full)
	}
	return s.renderForm(c, status, "notices", "prenotice.title", v, formErr)
}

// formRefusal says whether an error is the user's to fix on the page.
func formRefusal(err error) (*seedling.Error, bool) {
	de := asDomain(err)
	switch de.Code {
	case seedling.EInvalid, seedling.ERule, seedling.EConflict, seedling.ETooLarge, seedling.EUnsupported:
		return de, true
	}
	return de, false
}

// noticePublish publishes a notice from the page.
func (s *Server) noticePublish(c *fiber.Ctx) error {
	n, err := s.publishNotice(c, c.FormValue("step"))
	if de, ok := formRefusal(err); err != nil && ok {
		id, _ := pathID(c, "id")
		return s.renderNotices(c, id, statusOf[de.Code], de)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/candidates/%d/notices#notice-%d", n.CandidateID, n.ID), fiber.StatusSeeOther)
}

// noticeObject raises an objection to a notice from the page.
func (s *Server) noticeObject(c *fiber.Ctx) error {
	req := raiseRequest{Text: c.FormValue("text"), Channel: c.FormValue("channel"), From: c.FormValue("from")}
	o, err := s.raiseNoticeObjection(c, req, isMultipart(c))
	if de, ok := formRefusal(err); err != nil && ok {
		id, _ := pathID(c, "id")
		n, lerr := s.db.Notices().Get(c.UserContext(), id)
		if lerr != nil {
			return err
		}
		return s.renderNotices(c, n.CandidateID, statusOf[de.Code], de)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/candidates/%d/notices#objection-%d", o.CandidateID, o.ID), fiber.StatusSeeOther)
}
