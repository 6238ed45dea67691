package web

import (
	"context"
	"encoding/hex"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/authz"
	"seedling/internal/evidence"
	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// ledgerStages are the stages whose people keep a ledger and appear on a
// roster by default.
var ledgerStages = []seedling.Stage{seedling.StageActivist, seedling.StageTarget, seedling.StageProbationary}

// --- JSON shapes -----------------------------------------------------------

type rubricDimensionJSON struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Cap    int    `json:"cap"`
}

type rubricCategoryJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	NameEn    string `json:"name_en"`
	Dimension string `json:"dimension"`
	MinPoints int    `json:"min_points"`
	MaxPoints int    `json:"max_points"`
}

type rubricJSON struct {
	Version       int                   `json:"version"`
	EffectiveFrom string                `json:"effective_from"`
	Note          string                `json:"note"`
	CreatedBy     string                `json:"created_by"`
	CreatedAt     time.Time             `json:"created_at"`
	Dimensions    []rubricDimensionJSON `json:"dimensions"`
	Categories    []rubricCategoryJSON  `json:"categories"`
}

func rubricOut(r ledger.Rubric) rubricJSON {
	out := rubricJSON{Version: r.Version, EffectiveFrom: formatDate(r.EffectiveFrom), Note: r.Note, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		Dimensions: []rubricDimensionJSON{}, Categories: []rubricCategoryJSON{}}
	for _, d := range r.Dimensions {
		out.Dimensions = append(out.Dimensions, rubricDimensionJSON{Code: d.Code, Name: d.NameZh, NameEn: d.NameEn, Cap: d.Cap})
	}
	for _, c := range r.Categories {
		out.Categories = append(out.Categories, rubricCategoryJSON{Code: c.Code, Name: c.NameZh, NameEn: c.NameEn, Dimension: c.Dimension, MinPoints: c.Min, MaxPoints: c.Max})
	}
	return out
}

type evidenceJSON struct {
	ID          int64     `json:"id"`
	EntryID     int64     `json:"entry_id"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	StoredAt    time.Time `json:"stored_at"`
	URL         string    `json:"url"`
}

func evidenceOut(ev ledger.Evidence) evidenceJSON {
	return evidenceJSON{ID: ev.ID, EntryID: ev.EntryID, SHA256: ev.SHA256, Name: ev.Name, Size: ev.Size, ContentType: ev.ContentType,
		StoredAt: ev.StoredAt, URL: "/api/v1/evidence/" + strconv.FormatInt(ev.ID, 10)}
}

type entryJSON struct {
	ID             int64          `json:"id"`
	CandidateID    int64          `json:"candidate_id"`
	Seq            int            `json:"seq"`
	Kind           string         `json:"kind"`
	Category       string         `json:"category"`
	CategoryName   string         `json:"category_name"`
	Dimension      string         `json:"dimension"`
	Points         int            `json:"points"`
	OccurredOn     string         `json:"occurred_on"`
	Period         string         `json:"period"`
	Description    string         `json:"description"`
	RecordedBy     string         `json:"recorded_by"`
	RecordedByName string         `json:"recorded_by_name"`
	RecordedAt     time.Time      `json:"recorded_at"`
	Reverses       *int64         `json:"reverses"`
	ReversedBy     *int64         `json:"reversed_by"`
	Reason         string         `json:"reason,omitempty"`
	Late           bool           `json:"late"`
	LateReason     string         `json:"late_reason,omitempty"`
	Evidence       []evidenceJSON `json:"evidence"`
	Hash           string         `json:"hash"`
	ObjectionID    *int64         `json:"objection_id"`
}

func entryOut(e ledger.Entry, rubrics ledger.Rubrics) entryJSON {
	out := entryJSON{ID: e.ID, CandidateID: e.CandidateID, Seq: e.Seq, Kind: e.Kind, Category: e.Category, Points: e.Points,
		OccurredOn: formatDate(e.OccurredOn), Period: e.Period, Description: e.Description, RecordedBy: e.RecordedBy,
		RecordedByName: e.RecordedByName, RecordedAt: e.RecordedAt, Reverses: e.Reverses, ReversedBy: e.ReversedBy, Reason: e.Reason,
		Late: e.Late(), LateReason: e.LateReason, Evidence: []evidenceJSON{}, Hash: hex.EncodeToString(e.Hash), ObjectionID: e.ObjectionID}
	if cat, _, ok := categoryOf(rubrics, e); ok {
		out.CategoryName, out.Dimension = cat.NameZh, cat.Dimension
	}
	for _, ev := range e.Evidence {
		out.Evidence = append(out.Evidence, evidenceOut(ev))
	}
	return out
}

// categoryOf finds an entry's category and dimension in the rubric in force
// for its quarter.
func categoryOf(rubrics ledger.Rubrics, e ledger.Entry) (ledger.Category, ledger.Dimension, bool) {
	p, err := ledger.ParsePeriod(e.Period)
	if err != nil {
		return ledger.Category{}, ledger.Dimension{}, false
	}
	r, ok := rubrics.InForce(p)
	if !ok {
		return ledger.Category{}, ledger.Dimension{}, false
	}
	cat, ok := r.Category(e.Category)
	dim, _ := r.Dimension(cat.Dimension)
	return cat, dim, ok
}

type dimensionScoreJSON struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Points int    `json:"points"`
	Cap    int    `json:"cap"`
}

type periodScoreJSON struct {
	Period     string               `json:"period"`
	Version    int                  `json:"version"`
	Total      int                  `json:"total"`
	Dimensions []dimensionScoreJSON `json:"dimensions"`
}

type scoreJSON struct {
	Total      int                  `json:"total"`
	Dimensions []dimensionScoreJSON `json:"dimensions"`
	Version    int                  `json:"version"`
	Periods    []periodScoreJSON    `json:"periods,omitempty"`
}

func dimsOut(ds []ledger.DimensionScore) []dimensionScoreJSON {
	out := make([]dimensionScoreJSON, len(ds))
	for i, d := range ds {
		out[i] = dimensionScoreJSON{Code: d.Code, Name: d.NameZh, Points: d.Points, Cap: d.Cap}
	}
	return out
}

func scoreOut(s ledger.Score, periods bool) *scoreJSON {
	out := &scoreJSON{Total: s.Total, Dimensions: dimsOut(s.Dimensions), Version: s.Version}
	if periods {
		out.Periods = []periodScoreJSON{}
		for _, p := range s.Periods {
			out.Periods = append(out.Periods, periodScoreJSON{Period: p.Period, Version: p.Version, Total: p.Total, Dimensions: dimsOut(p.Dimensions)})
		}
	}
	return out
}

type reasonJSON struct {
	Code    string `json:"code"`
	Text    string `json:"text"`
	TextEn  string `json:"text_en"`
	Missing int    `json:"missing,omitempty"`
	Until   string `json:"until,omitempty"`
}

// eligibilityJSON says whether the door to development target is open;
// reasons are what a person reads ("还差6分", "培养期至2027-03-01届满"),
// details the same with codes and numbers for programs.
type eligibilityJSON struct {
	Eligible bool         `json:"eligible"`
	Reasons  []string     `json:"reasons"`
	Details  []reasonJSON `json:"details"`
}

func eligibilityOut(l *i18n.Localizer, e ledger.Eligibility) *eligibilityJSON {
	out := &eligibilityJSON{Eligible: e.Eligible, Reasons: []string{}, Details: []reasonJSON{}}
	texts := reasonTexts(l, e)
	for i, r := range e.Reasons {
		out.Reasons = append(out.Reasons, texts[i])
		d := reasonJSON{Code: r.Code, Text: texts[i], TextEn: r.En(), Missing: r.Missing}
		if !r.Until.IsZero() {
			d.Until = formatDate(r.Until)
		}
		out.Details = append(out.Details, d)
	}
	return out
}

type keeperJSON struct {
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	UserID      int64     `json:"user_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	NamedAt     time.Time `json:"named_at"`
}

func keeperOut(k *postgres.Keeper) *keeperJSON {
	if k == nil {
		return nil
	}
	return &keeperJSON{OrgID: k.OrgID, OrgName: k.OrgName, UserID: k.UserID, Username: k.Username, DisplayName: k.DisplayName, NamedAt: k.NamedAt}
}

// --- shared loading ---------------------------------------------------------

func (s *Server) today() time.Time { return seedling.Today(s.db.Now()) }

// scored returns the standings the filter picks with their scores.
func (s *Server) scored(ctx context.Context, f postgres.StandingFilter) ([]postgres.Scored, ledger.Rubrics, error) {
	list, err := s.db.Scores().Standings(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return nil, nil, err
	}
	rs, today := s.rules()
	return postgres.Assess(list, rubrics, today, rs.Door()), rubrics, nil
}

// scoredOne returns one candidate's score and verdict.
func (s *Server) scoredOne(ctx context.Context, id int64) (postgres.Scored, ledger.Rubrics, error) {
	list, rubrics, err := s.scored(ctx, postgres.StandingFilter{IDs: []int64{id}})
	if err != nil {
		return postgres.Scored{}, nil, err
	}
	if len(list) == 0 {
		return postgres.Scored{}, nil, seedling.NotFound()
	}
	return list[0], rubrics, nil
}

// scoresOf scores a list of candidates with one query, keyed by id.
func (s *Server) scoresOf(ctx context.Context, list []seedling.Candidate) (map[int64]postgres.Scored, error) {
	ids := make([]int64, len(list))
	for i, k := range list {
		ids[i] = k.ID
	}
	scored, _, err := s.scored(ctx, postgres.StandingFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]postgres.Scored, len(scored))
	for _, x := range scored {
		out[x.ID] = x
	}
	return out, nil
}

// keeper returns the ledger keeper of the branch a node belongs to, or nil.
func (s *Server) keeper(ctx context.Context, path string) (*postgres.Keeper, error) {
	k, found, err := s.db.Ledger().KeeperFor(ctx, path)
	if err != nil || !found {
		return nil, err
	}
	return &k, nil
}

// loadEntry fetches the entry named in the path and checks the action on
// its candidate's record before anything else happens.
func (s *Server) loadEntry(c *fiber.Ctx, param, obj, act string) (ledger.Entry, seedling.Candidate, seedling.Actor, error) {
	id, err := pathID(c, param)
	if err != nil {
		return ledger.Entry{}, seedling.Candidate{}, seedling.Actor{}, err
	}
	e, err := s.db.Ledger().Entry(c.UserContext(), id)
	if err != nil {
		return ledger.Entry{}, seedling.Candidate{}, seedling.Actor{}, err
	}
	cand, err := s.db.Candidates().ByID(c.UserContext(), e.CandidateID)
	if err != nil {
		return ledger.Entry{}, seedling.Candidate{}, seedling.Actor{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: cand.OrgPath, CandidateID: cand.ID}, obj, act)
	return e, cand, a, err
}

// loadOrg fetches the node named in the path and checks the action there.
func (s *Server) loadOrg(c *fiber.Ctx, obj, act string) (seedling.Org, seedling.Actor, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return seedling.Org{}, seedling.Actor{}, err
	}
	org, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		return seedling.Org{}, seedling.Actor{}, err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, obj, act)
	return org, a, err
}

// storeUpload checks one uploaded file and puts it in the evidence store:
// size first (the header says it), then the type from the content's first
// bytes, then the bytes themselves, the limit enforced again as they stream.
func (s *Server) storeUpload(ctx context.Context, fh *multipart.FileHeader) (ledger.Evidence, error) {
	if s.evidence == nil {
		return ledger.Evidence{}, seedling.Errorf(seedling.EUnavailable, "no evidence store is configured").Keyed("error.no_evidence_store")
	}
	max := s.cfg.EvidenceMaxBytes
	if fh.Size > max {
		return ledger.Evidence{}, evidence.TooLarge(max)
	}
	f, err := fh.Open()
	if err != nil {
		return ledger.Evidence{}, err
	}
	defer f.Close()
	ct, body, err := evidence.Accept(f)
	if err != nil {
		return ledger.Evidence{}, err
	}
	info, err := s.evidence.Put(ctx, body, max)
	if err != nil {
		return ledger.Evidence{}, err
	}
	return ledger.Evidence{SHA256: info.SHA256, Size: info.Size, Name: evidence.CleanName(fh.Filename, ct), ContentType: ct}, nil
}

// multipartFile returns the file field of a multipart request, refusing
// other content types with 415.
func multipartFile(c *fiber.Ctx, field string, required bool) (*multipart.FileHeader, error) {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if ct != fiber.MIMEMultipartForm {
		return nil, seedling.Errorf(seedling.EUnsupported, "content type must be multipart/form-data").Keyed("error.multipart_required")
	}
	fh, err := c.FormFile(field)
	if err != nil || fh.Size == 0 && fh.Filename == "" {
		if required {
			return nil, seedling.FieldProblem(seedling.EInvalid, field, "problem.file_required", "a file is required")
		}
		return nil, nil
	}
	return fh, nil
}

// --- rubric -----------------------------------------------------------------

// apiRubric returns the rubric in force today, or on ?on=YYYY-MM-DD.
func (s *Server) apiRubric(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Rubric, authz.Read); err != nil {
		return err
	}
	on := s.today()
	if v := c.Query("on"); v != "" {
		d, err := seedling.ParseDate(v)
		if err != nil {
			return seedling.FieldProblem(seedling.EInvalid, "on", "problem.date_format", "on must be a date YYYY-MM-DD")
		}
		on = d
	}
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return err
	}
	r, _ := rubrics.InForce(ledger.PeriodOf(on))
	return c.JSON(rubricOut(r))
}

// apiRubricVersions lists every version, including any not yet in force.
func (s *Server) apiRubricVersions(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Rubric, authz.Read); err != nil {
		return err
	}
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]rubricJSON, len(rubrics))
	for i, r := range rubrics {
		out[i] = rubricOut(r)
	}
	return c.JSON(fiber.Map{"versions": out})
}

type rubricRequest struct {
	EffectiveFrom string                `json:"effective_from"`
	Note          string                `json:"note"`
	Dimensions    []rubricDimensionJSON `json:"dimensions"`
	Categories    []rubricCategoryJSON  `json:"categories"`
}

func (r rubricRequest) draft() ledger.Rubric {
	d := ledger.Rubric{Note: strings.TrimSpace(r.Note)}
	if t, err := seedling.ParseDate(strings.TrimSpace(r.EffectiveFrom)); err == nil {
		d.EffectiveFrom = t
	}
	for _, x := range r.Dimensions {
		d.Dimensions = append(d.Dimensions, ledger.Dimension{Code: strings.TrimSpace(x.Code), NameZh: strings.TrimSpace(x.Name), NameEn: strings.TrimSpace(x.NameEn), Cap: x.Cap})
	}
	for _, x := range r.Categories {
		d.Categories = append(d.Categories, ledger.Category{Code: strings.TrimSpace(x.Code), NameZh: strings.TrimSpace(x.Name), NameEn: strings.TrimSpace(x.NameEn),
			Dimension: strings.TrimSpace(x.Dimension), Min: x.MinPoints, Max: x.MaxPoints})
	}
	return d
}

// apiCreateRubric adds a rubric version (the organisation department).
func (s *Server) apiCreateRubric(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Rubric, authz.Write)
	if err != nil {
		return err
	}
	var req rubricRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.db.Rubric().Create(c.UserContext(), a, req.draft())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(rubricOut(r))
}

// --- ledger -----------------------------------------------------------------

// apiLedger lists a candidate's ledger: entries and reversals in chain
// order, each with its evidence.
func (s *Server) apiLedger(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	entries, err := s.db.Ledger().Entries(ctx, cand.ID)
	if err != nil {
		return err
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return err
	}
	k, err := s.keeper(ctx, cand.OrgPath)
	if err != nil {
		return err
	}
	out := make([]entryJSON, len(entries))
	for i, e := range entries {
		out[i] = entryOut(e, rubrics)
	}
	return c.JSON(fiber.Map{"candidate_id": cand.ID, "keeper": keeperOut(k), "entries": out})
}

type recordRequest struct {
	Category    string `json:"category"`
	Points      *int   `json:"points"`
	OccurredOn  string `json:"occurred_on"`
	Description string `json:"description"`
	LateReason  string `json:"late_reason"`
}

// idempotencyKey reads the Idempotency-Key every ledger write must carry,
// so that a retry after a lost answer never books the points twice.
func idempotencyKey(c *fiber.Ctx) (string, error) {
	k := strings.TrimSpace(c.Get("Idempotency-Key"))
	switch {
	case k == "":
		return "", seedling.FieldProblem(seedling.EInvalid, "Idempotency-Key", "problem.idempotency_required", "the Idempotency-Key header is required")
	case len(k) > 200 || strings.ContainsFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		return "", seedling.FieldProblem(seedling.EInvalid, "Idempotency-Key", "problem.idempotency_format", "the key must be 1 to 200 printable ASCII characters")
	}
	return k, nil
}

// apiRecordEntry appends an entry. The same Idempotency-Key with the same
// body answers 201 with the entry first written (header Idempotent-Replayed:
// true) and writes nothing; with another body it is 422.
func (s *Server) apiRecordEntry(c *fiber.Ctx) error {
	cand, a, err := s.loadCandidate(c, authz.Ledger, authz.Write)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req recordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d := ledger.Draft{Category: req.Category, Points: req.Points, OccurredOn: req.OccurredOn, Description: req.Description, LateReason: req.LateReason}
	e, replayed, err := s.db.Ledger().Record(c.UserContext(), a, cand.ID, d, key, nil)
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(entryOut(e, rubrics))
}

type reverseRequest struct {
	Reason string `json:"reason"`
}

// apiReverseEntry appends the reversal of an entry; a second reversal of the
// same entry is 409.
func (s *Server) apiReverseEntry(c *fiber.Ctx) error {
	e, _, a, err := s.loadEntry(c, "entry_id", authz.Ledger, authz.Write)
	if err != nil {
		return err
	}
	var req reverseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rev, err := s.db.Ledger().Reverse(c.UserContext(), a, e.ID, req.Reason)
	if err != nil {
		return err
	}
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(entryOut(rev, rubrics))
}

// apiAttachEvidence attaches one file (multipart field "file") to an entry.
// The same file on the same entry again answers 200 with the first record.
func (s *Server) apiAttachEvidence(c *fiber.Ctx) error {
	e, _, a, err := s.loadEntry(c, "entry_id", authz.Evidence, authz.Write)
	if err != nil {
		return err
	}
	fh, err := multipartFile(c, "file", true)
	if err != nil {
		return err
	}
	f, err := s.storeUpload(c.UserContext(), fh)
	if err != nil {
		return err
	}
	ev, created, err := s.db.Ledger().Attach(c.UserContext(), a, e.ID, f)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !created {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(evidenceOut(ev))
}

// apiEvidence serves one evidence file to those who may read the ledger it
// belongs to, always as an attachment with the sniffed type and nosniff, so
// a browser never renders it in the application's origin.
func (s *Server) apiEvidence(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ev, candidateID, err := s.db.Ledger().Evidence(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := s.authorizeEvidence(c, candidateID); err != nil {
		return err
	}
	return s.sendEvidence(c, ev)
}

// authorizeEvidence lets through those who may read the evidence of the
// candidate's ledger: the one check for ledger files and objection files.
func (s *Server) authorizeEvidence(c *fiber.Ctx, candidateID int64) error {
	cand, err := s.db.Candidates().ByID(c.UserContext(), candidateID)
	if err != nil {
		return err
	}
	_, err = s.authorizeCandidate(c, cand, authz.Evidence, authz.Read)
	return err
}

// apiObjectionEvidence serves the file sent with an objection, authorised
// as the evidence of the ledger of the person the objection is about.
func (s *Server) apiObjectionEvidence(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ev, candidateID, has, err := s.db.Displays().ObjectionEvidence(c.UserContext(), id)
	if err != nil {
		return err
	}
	if err := s.authorizeEvidence(c, candidateID); err != nil {
		return err
	}
	if !has {
		return seedling.Errorf(seedling.ENotFound, "this objection came without a file").Keyed("error.objection_no_file")
	}
	return s.sendEvidence(c, ev)
}

// sendEvidence streams a stored file always as an attachment with the
// sniffed type and nosniff, so a browser never renders it in the
// application's origin.
func (s *Server) sendEvidence(c *fiber.Ctx, ev ledger.Evidence) error {
	ctx := c.UserContext()
	if s.evidence == nil {
		return seedling.Errorf(seedling.EUnavailable, "no evidence store is configured").Keyed("error.no_evidence_store")
	}
	r, err := s.evidence.Open(ctx, ev.SHA256)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ev.ContentType)
	c.Set(fiber.HeaderContentDisposition, attachment(ev.Name, evidence.Allowed[ev.ContentType]))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(r, int(ev.Size))
}

// --- scores -----------------------------------------------------------------

// apiScore returns a candidate's score, quarter by quarter and in all, and
// whether they may be named a development target.
func (s *Server) apiScore(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	sc, _, err := s.scoredOne(c.UserContext(), cand.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"candidate_id": cand.ID, "score": scoreOut(sc.Score, true), "eligibility": eligibilityOut(s.localizer(c), sc.Eligibility)})
}

type rosterLineJSON struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	Stage       seedling.Stage   `json:"stage"`
	OrgID       int64            `json:"org_id"`
	OrgName     string           `json:"org_name"`
	Score       *scoreJSON       `json:"score"`
	Eligible    bool             `json:"eligible"`
	Eligibility *eligibilityJSON `json:"eligibility"`
}

// rosterStages reads ?stage= (one stage) or defaults to the ledger stages.
func rosterStages(c *fiber.Ctx) ([]seedling.Stage, error) {
	v := c.Query("stage")
	if v == "" {
		return ledgerStages, nil
	}
	if !seedling.Stage(v).Valid() {
		return nil, seedling.FieldProblem(seedling.EInvalid, "stage", "problem.stage_unknown", "unknown stage")
	}
	return []seedling.Stage{seedling.Stage(v)}, nil
}

// apiRoster lists the people of a node's subtree with their scores and
// verdicts, one keyset page in one query (more when only the eligible or
// the not eligible are asked for: see scoredRoster).
func (s *Server) apiRoster(c *fiber.Ctx) error {
	org, _, err := s.loadOrg(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	page, err := queryPage(c)
	if err != nil {
		return err
	}
	q, err := readRosterQuery(c, org, page)
	if err != nil {
		return err
	}
	list, _, err := s.scoredRoster(c.UserContext(), q)
	if err != nil {
		return err
	}
	k, err := s.keeper(c.UserContext(), org.Path)
	if err != nil {
		return err
	}
	out := make([]rosterLineJSON, len(list))
	for i, x := range list {
		out[i] = rosterLineJSON{ID: x.ID, Name: x.Name, Stage: x.Stage, OrgID: x.OrgID, OrgName: x.OrgName, Score: scoreOut(x.Score, false),
			Eligible: x.Eligibility.Eligible, Eligibility: eligibilityOut(s.localizer(c), x.Eligibility)}
	}
	return c.JSON(fiber.Map{"org_id": org.ID, "keeper": keeperOut(k), "candidates": out, "next": nextOf(page)})
}

type keeperRequest struct {
	UserID int64 `json:"user_id"`
}

// apiNameKeeper records the person a branch names to keep its ledger.
func (s *Server) apiNameKeeper(c *fiber.Ctx) error {
	org, a, err := s.loadOrg(c, authz.Ledger, authz.Write)
	if err != nil {
		return err
	}
	var req keeperRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.db.Ledger().NameKeeper(c.UserContext(), a, org.ID, req.UserID); err != nil {
		return err
	}
	k, err := s.keeper(c.UserContext(), org.Path)
	if err != nil {
		return err
	}
	return c.JSON(keeperOut(k))
}

// attachment is a Content-Disposition that makes a browser download, with
// the name in RFC 2231 form when it is not plain ASCII.
func attachment(name, ext string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment; filename=download" + ext
}
