package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// acceptEvidence is the file picker's hint; the server decides by content.
const acceptEvidence = ".jpg,.jpeg,.png,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,image/jpeg,image/png,application/pdf"

// entryView is one ledger line as a page shows it.
type entryView struct {
	ledger.Entry
	CategoryName  string
	DimensionName string
	Deduction     bool
	ReversesID    int64
	ReversedByID  int64
	AttachError   string
	ReverseError  string
}

type dimView struct {
	Code    string
	Name    string
	Points  int
	Cap     int
	Percent int
}

// scoreView is a score with its verdict, in the reader's language.
type scoreView struct {
	Total     int
	Threshold int
	Missing   int
	Version   int
	Dims      []dimView
	Eligible  bool
	Reasons   []string
	Gauge     gauge
}

// quarterView is one quarter of a ledger page: a long ledger is read a
// quarter at a time, the newest open on top with what it brought.
type quarterView struct {
	ledger.Period
	Points  int // what the quarter's standing entries bring, before caps
	Entries []entryView
	Open    bool
}

type categoryOption struct {
	Code      string
	Name      string
	Dimension string
	Min, Max  int
}

type recordForm struct {
	Category, Points, OccurredOn, Description, LateReason, Key string
}

// ledgerView is the ledger page and the candidate's own score page.
type ledgerView struct {
	Candidate   seedling.Candidate
	Keeper      *postgres.Keeper
	Score       scoreView
	Entries     []entryView
	Categories  []categoryOption
	CanWrite    bool
	CanAttach   bool
	CanEvidence bool
	NoLedger    bool // the stage keeps no ledger: nothing may be recorded
	Self        bool
	Form        recordForm
	Errors      map[string]string
	Problem     string
	Today       string
	MinDate     string
	LateDays    int // an entry dated further back is a late record (补录)
	Accept      string
	MaxMiB      int64
}

func langEn(c *fiber.Ctx) bool { return pickLanguage(c) == "en" }

func pickName(en bool, zh, eng string) string {
	if en {
		return eng
	}
	return zh
}

// may reports whether the caller may act on the candidate's record, without
// auditing a denial: it decides what a page offers, not what it allows.
func (s *Server) may(c *fiber.Ctx, cand seedling.Candidate, obj, act string) bool {
	sess := currentSession(c)
	if sess == nil {
		return false
	}
	_, err := s.authz.Check(sess.Principal, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, obj, act)
	return err == nil
}

// scoreViewOf turns a scored standing into what a page shows.
func (s *Server) scoreViewOf(c *fiber.Ctx, sc postgres.Scored) scoreView {
	l := s.localizer(c)
	en := langEn(c)
	rs, _ := s.rules()
	v := scoreView{Total: sc.Score.Total, Threshold: rs.MinScore, Missing: max(0, rs.MinScore-sc.Score.Total),
		Version: sc.Score.Version, Eligible: sc.Eligibility.Eligible, Gauge: newGauge(sc.Score.Total, rs.MinScore)}
	for _, d := range sc.Score.Dimensions {
		pct := 0
		if d.Cap > 0 {
			pct = d.Points * 100 / d.Cap
		}
		v.Dims = append(v.Dims, dimView{Code: d.Code, Name: pickName(en, d.NameZh, d.NameEn), Points: d.Points, Cap: d.Cap, Percent: pct})
	}
	v.Reasons = reasonTexts(l, sc.Eligibility)
	return v
}

// reasonTexts says each unmet condition in the reader's language.
func reasonTexts(l *i18n.Localizer, e ledger.Eligibility) []string {
	var out []string
	for _, r := range e.Reasons {
		out = append(out, translate(l, "eligibility."+r.Code, "Missing", r.Missing, "Until", formatDate(r.Until),
			"Stage", translate(l, "stage."+string(r.Stage))))
	}
	return out
}

// loadLedgerView gathers everything the ledger and score pages show.
func (s *Server) loadLedgerView(c *fiber.Ctx, cand seedling.Candidate) (*ledgerView, error) {
	ctx := c.UserContext()
	entries, err := s.db.Ledger().Entries(ctx, cand.ID)
	if err != nil {
		return nil, err
	}
	sc, rubrics, err := s.scoredOne(ctx, cand.ID)
	if err != nil {
		return nil, err
	}
	k, err := s.keeper(ctx, cand.OrgPath)
	if err != nil {
		return nil, err
	}
	en := langEn(c)
	v := &ledgerView{Candidate: cand, Keeper: k, Score: s.scoreViewOf(c, sc), Errors: map[string]string{},
		CanWrite: s.may(c, cand, authz.Ledger, authz.Write), CanAttach: s.may(c, cand, authz.Evidence, authz.Write),
		CanEvidence: s.may(c, cand, authz.Evidence, authz.Read),
		NoLedger:    !(ledger.Subject{Stage: cand.Stage, ActivistSince: cand.ActivistSince}).KeepsLedger(),
		Today:       formatDate(s.today()), MinDate: formatDate(cand.ActivistSince), Accept: acceptEvidence, MaxMiB: s.cfg.EvidenceMaxBytes >> 20,
		Form: recordForm{OccurredOn: formatDate(s.today()), Key: newFormKey()}}
	if rs, _ := s.rules(); rs != nil {
		v.LateDays = rs.Late().Days
	}
	bySeq := map[int]int64{}
	for _, e := range entries {
		bySeq[e.Seq] = e.ID
	}
	// Newest first: what was just recorded is on top.
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		ev := entryView{Entry: e, CategoryName: e.Category}
		if cat, dim, ok := categoryOf(rubrics, e); ok {
			ev.CategoryName, ev.DimensionName, ev.Deduction = pickName(en, cat.NameZh, cat.NameEn), pickName(en, dim.NameZh, dim.NameEn), cat.Deduction()
		}
		if e.Reverses != nil {
			ev.ReversesID = *e.Reverses
		}
		if e.ReversedBy != nil {
			ev.ReversedByID = *e.ReversedBy
		}
		v.Entries = append(v.Entries, ev)
	}
	if r, ok := rubrics.InForce(ledger.PeriodOf(s.today())); ok {
		for _, cat := range r.Categories {
			d, _ := r.Dimension(cat.Dimension)
			v.Categories = append(v.Categories, categoryOption{Code: cat.Code, Name: pickName(en, cat.NameZh, cat.NameEn),
				Dimension: pickName(en, d.NameZh, d.NameEn), Min: cat.Min, Max: cat.Max})
		}
	}
	return v, nil
}

// Quarters groups the entries (newest first) by the quarter they count in,
// newest quarter first. The newest quarter is open, and so is the quarter of
// the latest entry, which a late record or a correction puts in an older
// quarter: what was just written is in view after the redirect. It is
// worked out when the page renders, so a refusal set on one entry opens
// that entry's quarter.
func (v *ledgerView) Quarters() []quarterView {
	var out []quarterView
	at := map[string]int{}
	for n, e := range v.Entries {
		i, ok := at[e.Period]
		if !ok {
			p, _ := ledger.ParsePeriod(e.Period)
			i, at[e.Period] = len(out), len(out)
			out = append(out, quarterView{Period: p})
		}
		q := &out[i]
		q.Entries = append(q.Entries, e)
		q.Points += e.Standing()
		q.Open = q.Open || n == 0 || e.ReverseError != "" || e.AttachError != ""
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period.String() > out[j].Period.String() })
	if len(out) > 0 {
		out[0].Open = true
	}
	return out
}

// newFormKey is the idempotency key a rendered form carries, so that a
// double click or a resubmitted page books the entry once.
func newFormKey() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ledgerPage shows a candidate's ledger: the score, the entries newest
// first with reversals struck through and evidence linked, and for the
// branch the form to record points and the buttons to reverse or attach.
func (s *Server) ledgerPage(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	v, err := s.loadLedgerView(c, cand)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "ledger", "ledger.title", v)
}

// ledgerDone redirects back to the ledger with the confirmation and the
// score as it stands after the change, said once in the status region at
// the top of the page (post/redirect/get).
func (s *Server) ledgerDone(c *fiber.Ctx, cand seedling.Candidate, what string, seq int) error {
	sc, _, err := s.scoredOne(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	return s.redirectWith(c, fmt.Sprintf("/candidates/%d/ledger", cand.ID), "flash.ledger_"+what,
		"Seq", strconv.Itoa(seq), "Total", strconv.Itoa(sc.Score.Total))
}

// ledgerRecord books an entry from the page's form, with an optional
// evidence file in the same transaction: a refused file books nothing.
func (s *Server) ledgerRecord(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Ledger, authz.Write)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := recordForm{Category: c.FormValue("category"), Points: strings.TrimSpace(c.FormValue("points")),
		OccurredOn: c.FormValue("occurred_on"), Description: c.FormValue("description"), LateReason: c.FormValue("late_reason"), Key: c.FormValue("idempotency_key")}
	d := ledger.Draft{Category: form.Category, OccurredOn: form.OccurredOn, Description: form.Description, LateReason: form.LateReason}
	if n, err := strconv.Atoi(form.Points); err == nil {
		d.Points = &n
	}
	if form.Key == "" || len(form.Key) > 64 {
		form.Key = newFormKey()
	}
	var files []ledger.Evidence
	fh, err := c.FormFile("file")
	if err == nil && fh.Filename != "" {
		if _, err := s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, authz.Evidence, authz.Write); err != nil {
			return err
		}
		f, err := s.storeUpload(ctx, fh)
		if err != nil {
			return s.ledgerRefused(c, cand, form, err, 0, "")
		}
		files = append(files, f)
	}
	e, _, err := s.db.Ledger().Record(ctx, a, cand.ID, d, "form:"+form.Key, files)
	if err != nil {
		return s.ledgerRefused(c, cand, form, err, 0, "")
	}
	return s.ledgerDone(c, cand, "recorded", e.Seq)
}

// ledgerRefused re-renders the ledger page with the refusal next to what it
// is about: the record form's fields, or one entry's reverse or attach form.
func (s *Server) ledgerRefused(c *fiber.Ctx, cand seedling.Candidate, form recordForm, refusal error, entryID int64, action string) error {
	de := s.shown(c, refusal)
	if de.Code == seedling.EInternal || de.Code == seedling.EUnavailable {
		return refusal
	}
	v, err := s.loadLedgerView(c, cand)
	if err != nil {
		return err
	}
	fields, general := s.refusal(c, refusal)
	if entryID != 0 {
		msg := general
		for _, m := range fields {
			msg = m
		}
		for i := range v.Entries {
			if v.Entries[i].ID == entryID {
				if action == "reverse" {
					v.Entries[i].ReverseError = msg
				} else {
					v.Entries[i].AttachError = msg
				}
			}
		}
	} else {
		v.Form, v.Errors, v.Problem = form, fields, general
		if _, ok := fields["Idempotency-Key"]; ok {
			v.Form.Key = newFormKey()
		}
	}
	return s.renderForm(c, statusOf[de.Code], "ledger", "ledger.title", v, de)
}

// refusal explains a refused input in the reader's language: a message per
// field at fault, and one line for the whole.
func (s *Server) refusal(c *fiber.Ctx, err error) (map[string]string, string) {
	l := s.localizer(c)
	fields := map[string]string{}
	var ie *ledger.InputError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			if _, ok := fields[p.Field]; !ok {
				fields[p.Field] = problemText(l, p)
			}
		}
		return fields, translate(l, "ledger.form.fix")
	}
	de := s.shown(c, err)
	switch {
	case de.Fields["file"] != "" || de.Code == seedling.ETooLarge || de.Code == seedling.EUnsupported:
		fields["file"] = translate(l, "problem.file_"+de.Code, "Max", s.cfg.EvidenceMaxBytes>>20)
	case de.Fields["Idempotency-Key"] != "":
		fields["Idempotency-Key"] = translate(l, "problem.idempotency_reused")
		return fields, fields["Idempotency-Key"]
	case de.Code == seedling.EConflict:
		return fields, translate(l, "ledger.already_reversed")
	case de.Code == seedling.ERule:
		return fields, translate(l, "ledger.reversal_final")
	}
	return fields, translate(l, "error."+de.Code)
}

// problemText says one problem in the reader's language, with its numbers
// and names; stage and column codes are translated too.
func problemText(l *i18n.Localizer, p ledger.Problem) string {
	return translateProblem(l, p.Coded())
}

// ledgerReverse reverses one entry from its line on the page.
func (s *Server) ledgerReverse(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Ledger, authz.Write)
	if err != nil {
		return err
	}
	e, err := s.entryOf(c, cand)
	if err != nil {
		return err
	}
	_, err = s.db.Ledger().Reverse(c.UserContext(), a, e.ID, c.FormValue("reason"))
	if err != nil {
		return s.ledgerRefused(c, cand, recordForm{}, err, e.ID, "reverse")
	}
	return s.ledgerDone(c, cand, "reversed", e.Seq)
}

// ledgerAttach attaches a file to one entry from its line on the page.
func (s *Server) ledgerAttach(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Evidence, authz.Write)
	if err != nil {
		return err
	}
	e, err := s.entryOf(c, cand)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Filename == "" {
		return s.ledgerRefused(c, cand, recordForm{}, &seedling.Error{Code: seedling.EInvalid, Message: "a file is required",
			Fields: map[string]string{"file": "required"}}, e.ID, "attach")
	}
	f, err := s.storeUpload(c.UserContext(), fh)
	if err == nil {
		_, _, err = s.db.Ledger().Attach(c.UserContext(), a, e.ID, f)
	}
	if err != nil {
		return s.ledgerRefused(c, cand, recordForm{}, err, e.ID, "attach")
	}
	return s.ledgerDone(c, cand, "attached", e.Seq)
}

// entryOf loads the entry named in the path, which must be on this
// candidate's ledger.
func (s *Server) entryOf(c *fiber.Ctx, cand seedling.Candidate) (ledger.Entry, error) {
	id, err := pathID(c, "entry_id")
	if err != nil {
		return ledger.Entry{}, err
	}
	e, err := s.db.Ledger().Entry(c.UserContext(), id)
	if err != nil {
		return ledger.Entry{}, err
	}
	if e.CandidateID != cand.ID {
		return ledger.Entry{}, seedling.NotFound()
	}
	return e, nil
}

// gauge is the half-circle dial of the score page, drawn on the server as
// SVG path data: no script, no image, nothing fetched.
type gauge struct {
	Track, Arc     string  // the full half circle and the part filled
	MarkX1, MarkY1 float64 // the 80-point mark
	MarkX2, MarkY2 float64
	LabelX, LabelY float64
	Reached        bool
}

func newGauge(total, threshold int) gauge {
	const cx, cy, r = 100.0, 100.0, 80.0
	point := func(frac, radius float64) (float64, float64) {
		a := math.Pi * (1 - frac)
		return round1(cx + radius*math.Cos(a)), round1(cy - radius*math.Sin(a))
	}
	g := gauge{Track: fmt.Sprintf("M %.1f %.1f A %.0f %.0f 0 0 1 %.1f %.1f", cx-r, cy, r, r, cx+r, cy), Reached: total >= threshold}
	frac := math.Max(0, math.Min(1, float64(total)/ledger.MaxTotal))
	if frac > 0 {
		x, y := point(frac, r)
		g.Arc = fmt.Sprintf("M %.1f %.1f A %.0f %.0f 0 0 1 %.1f %.1f", cx-r, cy, r, r, x, y)
	}
	mark := float64(threshold) / ledger.MaxTotal
	g.MarkX1, g.MarkY1 = point(mark, r-14)
	g.MarkX2, g.MarkY2 = point(mark, r+14)
	g.LabelX, g.LabelY = point(mark, r+24)
	return g
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
