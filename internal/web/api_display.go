package web

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type displayDimJSON struct {
	Code   string `json:"code"`
	Points int    `json:"points"`
}

type displayRowJSON struct {
	CandidateID int64            `json:"candidate_id"`
	Name        string           `json:"name"`
	Stage       string           `json:"stage"`
	Points      int              `json:"points"`
	Strikes     int              `json:"strikes"`
	Dimensions  []displayDimJSON `json:"dimensions"`
}

type displayChangeJSON struct {
	CandidateID int64           `json:"candidate_id"`
	Name        string          `json:"name"`
	Before      *displayRowJSON `json:"before"`
	After       *displayRowJSON `json:"after"`
}

type objectionJSON struct {
	ID          int64   `json:"id"`
	DisplayID   int64   `json:"display_id,omitempty"`
	NoticeID    int64   `json:"notice_id,omitempty"`
	CandidateID int64   `json:"candidate_id"`
	State       string  `json:"state"`
	Text        string  `json:"text"`
	Channel     string  `json:"channel"`
	From        string  `json:"from,omitempty"`
	RaisedBy    string  `json:"raised_by"`
	RaisedOn    string  `json:"raised_on"`
	DueOn       string  `json:"due_on"`
	Overdue     bool    `json:"overdue"`
	HasEvidence bool    `json:"has_evidence"`
	Reason      string  `json:"reason,omitempty"`
	ResolvedBy  string  `json:"resolved_by,omitempty"`
	ResolvedOn  *string `json:"resolved_on"`
	EntryIDs    []int64 `json:"entry_ids"`
}

type displayJSON struct {
	ID               int64               `json:"id"`
	State            string              `json:"state"`
	OrgID            int64               `json:"org_id"`
	OrgName          string              `json:"org_name"`
	Period           string              `json:"period"`
	Version          int                 `json:"version"`
	PreviousID       *int64              `json:"previous_id"`
	ReissuedBy       *int64              `json:"reissued_by"`
	Hash             string              `json:"hash"`
	VerificationCode string              `json:"verification_code"`
	OpensOn          *string             `json:"opens_on"`
	ClosesOn         *string             `json:"closes_on"`
	CreatedBy        string              `json:"created_by"`
	CreatedAt        time.Time           `json:"created_at"`
	Rows             []displayRowJSON    `json:"rows,omitempty"`
	Objections       []objectionJSON     `json:"objections,omitempty"`
	Changes          []displayChangeJSON `json:"changes,omitempty"`
}

func displayRowOut(r display.Row) displayRowJSON {
	out := displayRowJSON{CandidateID: r.CandidateID, Name: r.Name, Stage: string(r.Stage), Points: r.Points, Strikes: r.Strikes, Dimensions: []displayDimJSON{}}
	for _, d := range r.Dimensions {
		out.Dimensions = append(out.Dimensions, displayDimJSON{Code: d.Code, Points: d.Points})
	}
	return out
}

func datePtrOut(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(seedling.DateLayout)
	return &s
}

func displayOut(d display.Display, withRows bool) displayJSON {
	out := displayJSON{ID: d.ID, State: d.State, OrgID: d.OrgID, OrgName: d.OrgName, Period: d.Period, Version: d.Version,
		PreviousID: d.PreviousID, ReissuedBy: d.ReissuedBy, Hash: hex.EncodeToString(d.Hash), VerificationCode: d.Code(),
		CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt}
	if d.Window != nil {
		out.OpensOn, out.ClosesOn = datePtrOut(&d.Window.Opens), datePtrOut(&d.Window.Closes)
	}
	if withRows {
		out.Rows = make([]displayRowJSON, 0, len(d.Rows))
		for _, r := range d.Rows {
			out.Rows = append(out.Rows, displayRowOut(r))
		}
	}
	return out
}

func objectionOut(o display.Objection, today time.Time) objectionJSON {
	out := objectionJSON{ID: o.ID, DisplayID: o.DisplayID, NoticeID: o.NoticeID, CandidateID: o.CandidateID, State: o.State, Text: o.Text, Channel: o.Channel,
		From: o.From, RaisedBy: o.RaisedByName, RaisedOn: o.RaisedOn.Format(seedling.DateLayout), DueOn: o.DueOn.Format(seedling.DateLayout),
		Overdue: o.Overdue(today), HasEvidence: o.HasEvidence, Reason: o.Reason, ResolvedBy: o.ResolvedBy,
		ResolvedOn: datePtrOut(o.ResolvedOn), EntryIDs: o.EntryIDs}
	if out.EntryIDs == nil {
		out.EntryIDs = []int64{}
	}
	return out
}

func changesOut(ch []display.Change) []displayChangeJSON {
	out := []displayChangeJSON{}
	for _, c := range ch {
		x := displayChangeJSON{CandidateID: c.CandidateID, Name: c.Name}
		if c.Before != nil {
			b := displayRowOut(*c.Before)
			x.Before = &b
		}
		if c.After != nil {
			a := displayRowOut(*c.After)
			x.After = &a
		}
		out = append(out, x)
	}
	return out
}

// loadDisplay fetches the display named in the path and checks the
// action at its node first. A draft is seen only by those who may publish
// there: for everyone else it does not exist yet.
func (s *Server) loadDisplay(c *fiber.Ctx, act string) (display.Display, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return display.Display{}, seedling.Actor{}, err
	}
	return s.loadDisplayID(c, id, act)
}

// loadDisplayID is loadDisplay for a display named otherwise (by an
// objection).
func (s *Server) loadDisplayID(c *fiber.Ctx, id int64, act string) (display.Display, seedling.Actor, error) {
	d, err := s.db.Displays().Get(c.UserContext(), id)
	if err != nil {
		return display.Display{}, seedling.Actor{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: d.OrgPath}, authz.Display, act)
	if err != nil {
		return display.Display{}, seedling.Actor{}, err
	}
	if d.State != display.StatePublished && !s.mayAt(c, d.OrgPath, authz.Display, authz.Publish) {
		return display.Display{}, seedling.Actor{}, seedling.NotFound()
	}
	return d, a, nil
}

// mayAt is ui_ledger.go's may for an object at a node rather than on a
// candidate's record.
func (s *Server) mayAt(c *fiber.Ctx, path, obj, act string) bool {
	return s.may(c, seedling.Candidate{OrgPath: path}, obj, act)
}

// fullDisplay is a display with its objections and, for a reissue, the
// rows that changed.
func (s *Server) fullDisplay(c *fiber.Ctx, d display.Display) (displayJSON, error) {
	ctx := c.UserContext()
	out := displayOut(d, true)
	obs, err := s.db.Displays().Objections(ctx, d.ID)
	if err != nil {
		return out, err
	}
	out.Objections = []objectionJSON{}
	for _, o := range obs {
		out.Objections = append(out.Objections, objectionOut(o, s.today()))
	}
	ch, err := s.db.Displays().Changes(ctx, d)
	if err != nil {
		return out, err
	}
	if d.PreviousID != nil {
		out.Changes = changesOut(ch)
	}
	return out, nil
}

type createDisplayRequest struct {
	OrgID  int64  `json:"org_id"`
	Period string `json:"period"`
}

// createDisplay checks and takes a draft; the API and the page share it.
func (s *Server) createDisplay(c *fiber.Ctx, req createDisplayRequest) (display.Display, error) {
	if req.OrgID <= 0 {
		return display.Display{}, seedling.FieldProblem(seedling.EInvalid, "org_id", "problem.org_required", "org_id is required")
	}
	org, err := s.db.Orgs().ByID(c.UserContext(), req.OrgID)
	if err != nil {
		return display.Display{}, err
	}
	// Outside the caller's scope the node does not exist (404); inside it, a
	// node of the wrong kind is named as such (400) before the role (403).
	if _, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Display, authz.Read); err != nil {
		return display.Display{}, err
	}
	if err := display.CheckNode(org.Kind); err != nil {
		return display.Display{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Display, authz.Publish)
	if err != nil {
		return display.Display{}, err
	}
	p, err := display.ParsePeriod(req.Period)
	if err != nil {
		return display.Display{}, err
	}
	return s.db.Displays().Create(c.UserContext(), a, org, p, s.registry)
}

// apiCreateDisplay takes a draft display of a branch or group for a period
// that has ended.
func (s *Server) apiCreateDisplay(c *fiber.Ctx) error {
	var req createDisplayRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.createDisplay(c, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(displayOut(d, true))
}

// apiDisplays lists the displays in the caller's scope: published ones
// wherever they may read, drafts where they may publish.
func (s *Server) apiDisplays(c *fiber.Ctx) error {
	f, err := s.displayFilter(c)
	if err != nil {
		return err
	}
	list, err := s.db.Displays().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]displayJSON, 0, len(list))
	for _, d := range list {
		out = append(out, displayOut(d, false))
	}
	var next any
	if len(list) == f.Limit {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	return c.JSON(fiber.Map{"displays": out, "next": next})
}

// displayScope is the caller's scope for a list of displays: the subtrees
// they read, the single nodes they read upward (a group leader's branch) and
// the subtrees where they see drafts.
func (s *Server) displayScope(c *fiber.Ctx) postgres.DisplayFilter {
	f := postgres.DisplayFilter{Roots: s.roots(c, authz.Display, authz.Read), DraftRoots: s.roots(c, authz.Display, authz.Publish)}
	if sess := currentSession(c); sess != nil {
		f.Nodes = s.authz.Nodes(sess.Principal, authz.Display, authz.Read)
	}
	return f
}

func (s *Server) displayFilter(c *fiber.Ctx) (postgres.DisplayFilter, error) {
	f := s.displayScope(c)
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return f, err
	}
	f.Limit = int(limit)
	id, err := queryID(c, "org_id")
	if err != nil {
		return f, err
	}
	if id != 0 {
		org, err := s.db.Orgs().ByID(c.UserContext(), id)
		if err != nil {
			return f, err
		}
		if _, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Display, authz.Read); err != nil {
			return f, err
		}
		f.OrgID = id
	}
	if v := c.Query("period"); v != "" {
		p, err := display.ParsePeriod(v)
		if err != nil {
			return f, err
		}
		f.Period = p.String()
	}
	if f.After, err = queryID(c, "cursor"); err != nil {
		return f, err
	}
	return f, nil
}

// apiDisplay returns one display with its rows and objections.
func (s *Server) apiDisplay(c *fiber.Ctx) error {
	d, _, err := s.loadDisplay(c, authz.Read)
	if err != nil {
		return err
	}
	out, err := s.fullDisplay(c, d)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// apiPublishDisplay fixes a draft and opens its window.
func (s *Server) apiPublishDisplay(c *fiber.Ctx) error {
	d, a, err := s.loadDisplay(c, authz.Publish)
	if err != nil {
		return err
	}
	if d, err = s.db.Displays().Publish(c.UserContext(), a, d.ID); err != nil {
		return err
	}
	return c.JSON(displayOut(d, false))
}

// apiDiscardDisplay throws a draft away.
func (s *Server) apiDiscardDisplay(c *fiber.Ctx) error {
	d, a, err := s.loadDisplay(c, authz.Publish)
	if err != nil {
		return err
	}
	if err := s.db.Displays().Discard(c.UserContext(), a, d.ID); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": d.ID, "state": display.StateDiscarded})
}

// apiReissueDisplay takes a new version after upheld objections.
func (s *Server) apiReissueDisplay(c *fiber.Ctx) error {
	d, a, err := s.loadDisplay(c, authz.Publish)
	if err != nil {
		return err
	}
	nd, ch, err := s.db.Displays().Reissue(c.UserContext(), a, d.ID, s.registry)
	if err != nil {
		return err
	}
	out := displayOut(nd, true)
	out.Changes = changesOut(ch)
	return c.Status(fiber.StatusCreated).JSON(out)
}

type raiseRequest struct {
	CandidateID int64  `json:"candidate_id"`
	Text        string `json:"text"`
	Channel     string `json:"channel"`
	From        string `json:"from"`
}

// raiseObjection checks who may raise it and stores the evidence file, if
// any: the branch records objections received on paper or by phone
// (objection resolve), members and candidates raise their own (objection
// create).
func (s *Server) raiseObjection(c *fiber.Ctx, req raiseRequest, withFile bool) (display.Objection, error) {
	d, _, err := s.loadDisplay(c, authz.Read)
	if err != nil {
		return display.Objection{}, err
	}
	act, recorder := authz.Create, req.Channel == display.ChannelPaper || req.Channel == display.ChannelPhone
	if recorder {
		act = authz.Resolve
	}
	a, err := s.authorize(c, authz.Target{Path: d.OrgPath}, authz.Objection, act)
	if err != nil {
		return display.Objection{}, err
	}
	ev, err := s.objectionFile(c, withFile)
	if err != nil {
		return display.Objection{}, err
	}
	return s.db.Displays().Raise(c.UserContext(), a, d.ID, display.Raise{CandidateID: req.CandidateID, Text: req.Text, Channel: req.Channel, From: req.From}, recorder, ev)
}

// objectionFile stores the evidence file of a multipart objection, if one
// came with it (displays' and notices' objections alike).
func (s *Server) objectionFile(c *fiber.Ctx, withFile bool) (*ledger.Evidence, error) {
	if !withFile {
		return nil, nil
	}
	fh, err := multipartFile(c, "file", false)
	if err != nil || fh == nil {
		return nil, err
	}
	e, err := s.storeUpload(c.UserContext(), fh)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// raiseForm reads an objection from a JSON body or a multipart form;
// candidateField names the form field of the row (none for a notice).
func raiseForm(c *fiber.Ctx, candidateField bool) (raiseRequest, bool, error) {
	var req raiseRequest
	if !isMultipart(c) {
		return req, false, decodeJSON(c, &req)
	}
	req = raiseRequest{Text: c.FormValue("text"), Channel: c.FormValue("channel"), From: c.FormValue("from")}
	if candidateField {
		id, err := formID(c, "candidate_id")
		if err != nil {
			return req, true, err
		}
		req.CandidateID = id
	}
	return req, true, nil
}

// apiRaiseObjection takes an objection as JSON, or as a multipart form with
// an optional evidence file.
func (s *Server) apiRaiseObjection(c *fiber.Ctx) error {
	req, multipart, err := raiseForm(c, true)
	if err != nil {
		return err
	}
	o, err := s.raiseObjection(c, req, multipart)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(objectionOut(o, s.today()))
}

func isMultipart(c *fiber.Ctx) bool {
	ct := c.Get(fiber.HeaderContentType)
	return len(ct) >= len(fiber.MIMEMultipartForm) && ct[:len(fiber.MIMEMultipartForm)] == fiber.MIMEMultipartForm
}

type correctionJSON struct {
	Category    string `json:"category"`
	Points      *int   `json:"points"`
	OccurredOn  string `json:"occurred_on"`
	Description string `json:"description"`
	LateReason  string `json:"late_reason"`
}

type resolutionRequest struct {
	Decision       string          `json:"decision"`
	Reason         string          `json:"reason"`
	Correction     *correctionJSON `json:"correction"`
	ReverseEntryID *int64          `json:"reverse_entry_id"`
}

// resolveObjection checks the branch's scope on the objection's display
// first, then answers it.
func (s *Server) resolveObjection(c *fiber.Ctx, req resolutionRequest) (display.Objection, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return display.Objection{}, err
	}
	ctx := c.UserContext()
	if n, err := s.db.Notices().NoticeOf(ctx, id); err == nil {
		return s.resolveNoticeObjection(c, n, id, req)
	} else if seedling.ErrorCode(err) != seedling.ENotFound {
		return display.Objection{}, err
	}
	_, d, err := s.db.Displays().Objection(ctx, id)
	if err != nil {
		return display.Objection{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: d.OrgPath}, authz.Objection, authz.Resolve)
	if err != nil {
		return display.Objection{}, err
	}
	var draft *ledger.Draft
	if req.Correction != nil {
		draft = &ledger.Draft{Category: req.Correction.Category, Points: req.Correction.Points, OccurredOn: req.Correction.OccurredOn, Description: req.Correction.Description, LateReason: req.Correction.LateReason}
	}
	return s.db.Displays().Resolve(ctx, a, id, display.Resolution{Decision: req.Decision, Reason: req.Reason, ReverseEntryID: req.ReverseEntryID}, draft)
}

// apiResolveObjection upholds (with its correction) or rejects an objection.
func (s *Server) apiResolveObjection(c *fiber.Ctx) error {
	var req resolutionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.resolveObjection(c, req)
	if err != nil {
		return err
	}
	return c.JSON(objectionOut(o, s.today()))
}

type settingsRequest struct {
	WindowDays    int   `json:"window_days"`
	ObjectionDays int   `json:"objection_days"`
	MaskNames     *bool `json:"mask_names"`
}

// apiDisplaySettings sets a node's window and answer time (a committee for
// its subtree, display settings write) and, for the organisation
// department (display settings mask), whether notices mask names.
func (s *Server) apiDisplaySettings(c *fiber.Ctx) error {
	org, a, err := s.loadOrg(c, authz.DisplaySettings, authz.Write)
	if err != nil {
		return err
	}
	var req settingsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.UserContext()
	current, err := s.db.Displays().Settings(ctx, org.Path)
	if err != nil {
		return err
	}
	set := display.Settings{WindowDays: req.WindowDays, ObjectionDays: req.ObjectionDays, MaskNames: current.MaskNames}
	if req.MaskNames != nil {
		if !s.mayAt(c, org.Path, authz.DisplaySettings, authz.Mask) {
			return seedling.FieldProblem(seedling.EInvalid, "mask_names", "problem.mask_names_admin", "only the organisation department turns masking on or off")
		}
		set.MaskNames = *req.MaskNames
	}
	if err := s.db.Displays().SetSettings(ctx, a, org.ID, set); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"org_id": org.ID, "window_days": set.WindowDays, "objection_days": set.ObjectionDays, "mask_names": set.MaskNames})
}
