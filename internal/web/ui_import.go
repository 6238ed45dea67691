package web

import (
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// importProblem is one refused cell, as the import page lists it.
type importProblem struct {
	Cell    string
	Row     int
	Column  string
	Message string
}

type importView struct {
	Org       seedling.Org
	Periods   []string
	Period    string
	Written   int
	Unchanged int
	Done      bool
	Problem   string
	Problems  []importProblem
	MaxMiB    int64
}

func (s *Server) importView(org seedling.Org, period string) *importView {
	v := &importView{Org: org, Period: period, MaxMiB: s.cfg.ImportMaxBytes >> 20}
	p := currentPeriod(s)
	for i := 0; i < 4; i++ {
		v.Periods = append(v.Periods, p.String())
		p = p.Prev()
	}
	if v.Period == "" {
		v.Period = v.Periods[0]
	}
	return v
}

// importPage shows the bulk-entry page: the templates to download, the
// upload form, and after an upload what it booked or every cell it refused.
func (s *Server) importPage(c *fiber.Ctx) error {
	org, _, err := s.importOrg(c)
	if err != nil {
		return err
	}
	v := s.importView(org, c.Query("period"))
	if w, err := strconv.Atoi(c.Query("written")); err == nil {
		v.Done, v.Written = true, w
		v.Unchanged, _ = strconv.Atoi(c.Query("unchanged"))
	}
	return s.render(c, fiber.StatusOK, "import", "import.title", v)
}

// importSubmit books an uploaded sheet, all or nothing.
func (s *Server) importSubmit(c *fiber.Ctx) error {
	org, a, err := s.importOrg(c)
	if err != nil {
		return err
	}
	v := s.importView(org, c.FormValue("period"))
	period, err := s.importPeriod(v.Period)
	if err == nil {
		var res postgres.ImportResult
		if res, err = s.runImport(c, org, a, period); err == nil {
			return c.Redirect(fmt.Sprintf("/branches/%d/import?period=%s&written=%d&unchanged=%d", org.ID, period, res.Written, res.Unchanged), fiber.StatusSeeOther)
		}
	}
	de := s.shown(c, err)
	if de.Code == seedling.EInternal || de.Code == seedling.EUnavailable {
		return err
	}
	l := s.localizer(c)
	var ie *ledger.InputError
	if errors.As(err, &ie) {
		v.Problem = translate(l, "import.refused", "Count", len(ie.Problems))
		for _, p := range ie.Problems {
			row, _ := p.Args["Row"].(int)
			col, _ := p.Args["Col"].(string)
			ip := importProblem{Cell: p.Field, Row: row, Message: problemText(l, p)}
			if col != "" {
				ip.Column = translate(l, "import.col."+col)
			}
			v.Problems = append(v.Problems, ip)
		}
		sort.SliceStable(v.Problems, func(i, j int) bool { return v.Problems[i].Row < v.Problems[j].Row })
	} else {
		fields, general := s.refusal(c, err)
		v.Problem = general
		if m, ok := fields["file"]; ok {
			v.Problem = m
		}
		if de.Fields["period"] != "" {
			v.Problem = translate(l, "import.bad_period")
		}
		if de.Code == seedling.ETooLarge {
			v.Problem = translate(l, "import.too_large", "Max", v.MaxMiB)
		}
	}
	return s.renderForm(c, statusOf[de.Code], "import", "import.title", v, de)
}
