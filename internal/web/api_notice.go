package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/seedling"
)

// noticeJSON is the API view of a pre-admission notice (公示).
type noticeJSON struct {
	ID            int64           `json:"id"`
	CandidateID   int64           `json:"candidate_id"`
	CandidateName string          `json:"candidate_name"`
	Step          string          `json:"step"`
	OpensOn       string          `json:"opens_on"`
	ClosesOn      string          `json:"closes_on"`
	Open          bool            `json:"open"`
	PublishedBy   string          `json:"published_by"`
	PublishedAt   time.Time       `json:"published_at"`
	Objections    []objectionJSON `json:"objections,omitempty"`
}

func noticeOut(n display.Notice, today time.Time) noticeJSON {
	return noticeJSON{ID: n.ID, CandidateID: n.CandidateID, CandidateName: n.CandidateName, Step: n.Step,
		OpensOn: n.Window.Opens.Format(seedling.DateLayout), ClosesOn: n.Window.Closes.Format(seedling.DateLayout),
		Open: n.Window.Contains(today), PublishedBy: n.PublishedBy, PublishedAt: n.PublishedAt}
}

// noticeCandidate loads the candidate in the path and checks act on obj at
// their node. Notices are public to the node (its members and candidates
// read them), so the check names the node, not the person.
func (s *Server) noticeCandidate(c *fiber.Ctx, obj, act string) (seedling.Candidate, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return seedling.Candidate{}, seedling.Actor{}, err
	}
	return s.noticeCandidateID(c, id, obj, act)
}

func (s *Server) noticeCandidateID(c *fiber.Ctx, id int64, obj, act string) (seedling.Candidate, seedling.Actor, error) {
	cand, err := s.db.Candidates().ByID(c.UserContext(), id)
	if err != nil {
		return seedling.Candidate{}, seedling.Actor{}, err
	}
	// The target names the person: a display read that reaches a node only
	// upward (a group leader's branch) does not reach its people's notices.
	a, err := s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, obj, act)
	return cand, a, err
}

// loadNotice fetches the notice in the path and checks act on obj at the
// person's node first.
func (s *Server) loadNotice(c *fiber.Ctx, obj, act string) (display.Notice, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return display.Notice{}, seedling.Actor{}, err
	}
	n, err := s.db.Notices().Get(c.UserContext(), id)
	if err != nil {
		return display.Notice{}, seedling.Actor{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: n.OrgPath, CandidateID: n.CandidateID}, obj, act)
	return n, a, err
}

type publishNoticeRequest struct {
	Step string `json:"step"`
}

// publishNotice: the branch that proposes the step publishes the notice
// (submission create at the person's node).
func (s *Server) publishNotice(c *fiber.Ctx, step string) (display.Notice, error) {
	cand, a, err := s.loadCandidate(c, authz.Submission, authz.Create)
	if err != nil {
		return display.Notice{}, err
	}
	return s.db.Notices().Publish(c.UserContext(), a, cand.ID, step, s.registry)
}

func (s *Server) apiPublishNotice(c *fiber.Ctx) error {
	var req publishNoticeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.publishNotice(c, req.Step)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(noticeOut(n, s.today()))
}

// apiNotices lists a person's notices to those who read the node's
// displays.
func (s *Server) apiNotices(c *fiber.Ctx) error {
	cand, _, err := s.noticeCandidate(c, authz.Display, authz.Read)
	if err != nil {
		return err
	}
	list, err := s.db.Notices().Of(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	out := make([]noticeJSON, 0, len(list))
	for _, n := range list {
		out = append(out, noticeOut(n, s.today()))
	}
	return c.JSON(fiber.Map{"notices": out})
}

// fullNotice is a notice with its objections.
func (s *Server) fullNotice(c *fiber.Ctx, n display.Notice) (noticeJSON, error) {
	obs, err := s.db.Notices().Objections(c.UserContext(), n.ID)
	if err != nil {
		return noticeJSON{}, err
	}
	out := noticeOut(n, s.today())
	out.Objections = make([]objectionJSON, 0, len(obs))
	for _, o := range obs {
		out.Objections = append(out.Objections, objectionOut(o, s.today()))
	}
	return out, nil
}

func (s *Server) apiNotice(c *fiber.Ctx) error {
	n, _, err := s.loadNotice(c, authz.Display, authz.Read)
	if err != nil {
		return err
	}
	out, err := s.fullNotice(c, n)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// raiseNoticeObjection: members and candidates of the node object
// (objection create); the branch records one received on paper or by
// phone (objection resolve), as for displays.
func (s *Server) raiseNoticeObjection(c *fiber.Ctx, req raiseRequest, withFile bool) (display.Objection, error) {
	n, _, err := s.loadNotice(c, authz.Display, authz.Read)
	if err != nil {
		return display.Objection{}, err
	}
	act, recorder := authz.Create, req.Channel == display.ChannelPaper || req.Channel == display.ChannelPhone
	if recorder {
		act = authz.Resolve
	}
	a, err := s.authorize(c, authz.Target{Path: n.OrgPath}, authz.Objection, act)
	if err != nil {
		return display.Objection{}, err
	}
	ev, err := s.objectionFile(c, withFile)
	if err != nil {
		return display.Objection{}, err
	}
	return s.db.Notices().Raise(c.UserContext(), a, n.ID, display.Raise{Text: req.Text, Channel: req.Channel, From: req.From}, recorder, ev)
}

func (s *Server) apiRaiseNoticeObjection(c *fiber.Ctx) error {
	req, multipart, err := raiseForm(c, false)
	if err != nil {
		return err
	}
	o, err := s.raiseNoticeObjection(c, req, multipart)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(objectionOut(o, s.today()))
}

// resolveNoticeObjection answers an objection to a notice: the branch's
// scope at the person's node, and no ledger correction.
func (s *Server) resolveNoticeObjection(c *fiber.Ctx, n display.Notice, id int64, req resolutionRequest) (display.Objection, error) {
	a, err := s.authorize(c, authz.Target{Path: n.OrgPath}, authz.Objection, authz.Resolve)
	if err != nil {
		return display.Objection{}, err
	}
	return s.db.Notices().Resolve(c.UserContext(), a, id, display.Resolution{Decision: req.Decision, Reason: req.Reason,
		HasCorrection: req.Correction != nil, ReverseEntryID: req.ReverseEntryID})
}
