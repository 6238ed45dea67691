package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/ledger/sheet"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheetWords gives the spreadsheet writers the caller's language.
func (s *Server) sheetWords(c *fiber.Ctx) (string, sheet.T) {
	l := s.localizer(c)
	return pickLanguage(c), func(id string) string { return translate(l, id) }
}

func sendFile(c *fiber.Ctx, data []byte, contentType, name string) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, attachment(name, ""))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(data)
}

// sendLedgers streams the ledger workbook of the people f picks, read from
// one snapshot: the people and their standings first, then their entries
// off one cursor, each row handed to the workbook as it arrives.
func (s *Server) sendLedgers(c *fiber.Ctx, f postgres.StandingFilter, name string) error {
	lang, t := s.sheetWords(c)
	rs, today := s.rules()
	return s.sendStream(c, mimeXLSX, name, func(ctx context.Context, w io.Writer) error {
		var people []sheet.Ledger
		var book *sheet.LedgerBook
		defer func() {
			if book != nil {
				book.Close()
			}
		}()
		next := 0
		err := s.db.Ledger().ExportLedgers(ctx, f, func(x postgres.LedgerExport) error {
			scored := postgres.Assess(x.People, x.Rubrics, today, rs.Door())
			people = make([]sheet.Ledger, len(scored))
			for i, p := range scored {
				people[i] = sheet.Ledger{CandidateID: p.ID, Name: p.Name, Org: p.OrgName, Score: p.Score, Eligibility: p.Eligibility}
			}
			var err error
			book, err = sheet.NewLedgerBook(x.Rubrics, lang, t)
			return err
		}, func(e ledger.Entry) error {
			// Entries come person by person in the people's order.
			for next < len(people) && people[next].CandidateID != e.CandidateID {
				next++
			}
			if next == len(people) {
				return fmt.Errorf("export: entry %d of candidate %d out of the people's order", e.ID, e.CandidateID)
			}
			return book.Entry(people[next], e)
		})
		if err != nil {
			return err
		}
		return book.WriteTo(w, people)
	})
}

// apiExportLedger downloads one candidate's ledger as XLSX.
func (s *Server) apiExportLedger(c *fiber.Ctx) error {
	cand, _, err := s.loadCandidate(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	return s.sendLedgers(c, postgres.StandingFilter{IDs: []int64{cand.ID}}, "积分台账-"+cand.Name+"-"+formatDate(s.today())+".xlsx")
}

// apiExportOrgLedgers downloads the ledgers of everyone under a node.
func (s *Server) apiExportOrgLedgers(c *fiber.Ctx) error {
	org, _, err := s.loadOrg(c, authz.Ledger, authz.Read)
	if err != nil {
		return err
	}
	return s.sendLedgers(c, postgres.StandingFilter{Under: org.Path, Stages: ledgerStages}, "积分台账-"+org.Name+"-"+formatDate(s.today())+".xlsx")
}

// importOrg loads the node of a template or an import: a branch or one of
// its party groups, where the caller may write ledgers.
func (s *Server) importOrg(c *fiber.Ctx) (seedling.Org, seedling.Actor, error) {
	org, a, err := s.loadOrg(c, authz.Ledger, authz.Write)
	if err != nil {
		return org, a, err
	}
	return org, a, ledger.CanImportAt(org.Kind)
}

// templatePeople lists the people a template is filled with.
func (s *Server) templatePeople(ctx context.Context, org seedling.Org) ([]sheet.Person, error) {
	list, err := s.db.Scores().Standings(ctx, postgres.StandingFilter{Under: org.Path, Stages: ledgerStages})
	if err != nil {
		return nil, err
	}
	out := make([]sheet.Person, len(list))
	for i, x := range list {
		out[i] = sheet.Person{ID: x.ID, Name: x.Name}
	}
	return out, nil
}

// apiImportTemplate downloads the bulk-entry template of a branch, XLSX
// (default) or CSV, with its people and the categories of the rubric in
// force today.
func (s *Server) apiImportTemplate(c *fiber.Ctx) error {
	org, _, err := s.importOrg(c)
	if err != nil {
		return err
	}
	format := c.Query("format", "xlsx")
	if format != "xlsx" && format != "csv" {
		return seedling.FieldProblem(seedling.EInvalid, "format", "problem.sheet_format", "format is xlsx or csv")
	}
	ctx := c.UserContext()
	people, err := s.templatePeople(ctx, org)
	if err != nil {
		return err
	}
	lang, t := s.sheetWords(c)
	name := "积分录入模板-" + org.Name
	if format == "csv" {
		data, err := sheet.TemplateCSV(people, lang)
		if err != nil {
			return err
		}
		return sendFile(c, data, "text/csv; charset=utf-8", name+".csv")
	}
	rubrics, err := s.db.Rubric().Versions(ctx)
	if err != nil {
		return err
	}
	r, _ := rubrics.InForce(ledger.PeriodOf(s.today()))
	data, err := sheet.TemplateXLSX(r, people, lang, t)
	if err != nil {
		return err
	}
	return sendFile(c, data, mimeXLSX, name+".xlsx")
}

// importPeriod reads the quarter an import is for; whether it may be
// imported (it has begun) is ledger.CheckImport's to say.
func (s *Server) importPeriod(v string) (ledger.Period, error) {
	p, err := ledger.ParsePeriod(strings.TrimSpace(v))
	if err != nil {
		return p, seedling.FieldProblem(seedling.EInvalid, "period", "problem.period_quarter", "period must be a quarter such as 2026Q3")
	}
	return p, nil
}

// runImport reads an uploaded sheet and books it, all or nothing.
func (s *Server) runImport(c *fiber.Ctx, org seedling.Org, a seedling.Actor, period ledger.Period) (postgres.ImportResult, error) {
	fh, err := multipartFile(c, "file", true)
	if err != nil {
		return postgres.ImportResult{}, err
	}
	if fh.Size > s.cfg.ImportMaxBytes {
		return postgres.ImportResult{}, &seedling.Error{Code: seedling.ETooLarge, Message: "the spreadsheet is too large",
			Fields: map[string]string{"file": "too large"}}
	}
	f, err := fh.Open()
	if err != nil {
		return postgres.ImportResult{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.cfg.ImportMaxBytes+1))
	if err != nil {
		return postgres.ImportResult{}, err
	}
	if int64(len(data)) > s.cfg.ImportMaxBytes {
		return postgres.ImportResult{}, &seedling.Error{Code: seedling.ETooLarge, Message: "the spreadsheet is too large",
			Fields: map[string]string{"file": "too large"}}
	}
	rows, err := sheet.Read(data)
	if err != nil {
		return postgres.ImportResult{}, err
	}
	// A sheet books points like the form does: never for the uploader's own candidacy.
	me := currentSession(c).Principal.CandidateID
	for _, r := range rows {
		if err := seedling.CheckNotSelf(me, r.CandidateID); err != nil {
			return postgres.ImportResult{}, err
		}
	}
	sum := sha256.Sum256(data)
	return s.db.Ledger().Import(c.UserContext(), a, org.Path, period, hex.EncodeToString(sum[:]), rows)
}

// apiImport books one quarter's points of a branch from an XLSX or CSV
// upload (multipart: file, period). Any bad row refuses the whole file, with
// every problem named by its cell; uploading the same file again books
// nothing new.
func (s *Server) apiImport(c *fiber.Ctx) error {
	org, a, err := s.importOrg(c)
	if err != nil {
		return err
	}
	if _, err := multipartFile(c, "file", false); err != nil {
		return err
	}
	period, err := s.importPeriod(c.FormValue("period"))
	if err != nil {
		return err
	}
	res, err := s.runImport(c, org, a, period)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if res.Written == 0 {
		status = fiber.StatusOK
	}
	ids := res.Entries
	if ids == nil {
		ids = []int64{}
	}
	return c.Status(status).JSON(fiber.Map{"period": period.String(), "written": res.Written, "unchanged": res.Unchanged, "entries": ids})
}
