package web

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/ledger/sheet"
	"seedling/internal/seedling"
)

// sendSheet streams a one-sheet workbook of string cells: text that starts
// like a formula is neutralised as in the ledger exports, and a string
// cell is never a formula.
func (s *Server) sendSheet(c *fiber.Ctx, filename string, header []string, rows [][]string) error {
	return s.sendStream(c, mimeXLSX, filename, func(_ context.Context, w io.Writer) error {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		for i, row := range append([][]string{header}, rows...) {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = sheet.Neutralise(v)
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return sheet.Write(f, w)
	})
}

// apiDisplayXLSX exports one display's rows, with its window and code.
func (s *Server) apiDisplayXLSX(c *fiber.Ctx) error {
	d, _, err := s.loadDisplay(c, authz.Read)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	_, names, err := s.rubricNow(c)
	if err != nil {
		return err
	}
	header := append([]string{translate(l, "field.name"), translate(l, "field.stage"), translate(l, "display.points"), translate(l, "display.strikes")},
		dimensionHeads(d, names)...)
	rows := make([][]string, 0, len(d.Rows)+1)
	for _, r := range d.Rows {
		row := []string{r.Name, translate(l, "stage."+string(r.Stage)), strconv.Itoa(r.Points), strconv.Itoa(r.Strikes)}
		for _, dim := range r.Dimensions {
			row = append(row, strconv.Itoa(dim.Points))
		}
		rows = append(rows, row)
	}
	foot := []string{translate(l, "display.code") + " " + d.Code(), d.OrgName + " " + d.Period}
	if d.Window != nil {
		foot = append(foot, translate(l, "display.window")+" "+d.Window.Opens.Format(seedling.DateLayout)+" – "+d.Window.Closes.Format(seedling.DateLayout))
	}
	rows = append(rows, foot)
	return s.sendSheet(c, fmt.Sprintf("积分公示-%s-%s-v%d.xlsx", d.OrgName, d.Period, d.Version), header, rows)
}

// overview builds the committee's table for a node in the caller's scope
// (?org_id=, else the caller's widest grant) and a year (?year=, else the
// last year with an ended period).
func (s *Server) overview(c *fiber.Ctx) (overviewView, error) {
	if _, err := s.authorizeRole(c, authz.Display, authz.Read); err != nil {
		return overviewView{}, err
	}
	roots := s.roots(c, authz.Display, authz.Read)
	if len(roots) == 0 {
		return overviewView{}, seedling.NotFound()
	}
	ctx := c.UserContext()
	var org seedling.Org
	var err error
	id, err := queryID(c, "org_id")
	if err != nil {
		return overviewView{}, err
	}
	if id != 0 {
		if org, err = s.db.Orgs().ByID(ctx, id); err != nil {
			return overviewView{}, err
		}
	} else {
		for _, g := range currentSession(c).Principal.Grants {
			if g.OrgPath == roots[0] {
				if org, err = s.db.Orgs().ByID(ctx, g.OrgID); err != nil {
					return overviewView{}, err
				}
				break
			}
		}
	}
	if _, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Display, authz.Read); err != nil {
		return overviewView{}, err
	}
	// The overview counts the whole subtree of the node, so reading the
	// node's own displays from below (a group leader's branch) is not enough.
	if !authz.Covers(roots, org.Path) {
		return overviewView{}, seedling.Errorf(seedling.ENotFound, "not found")
	}
	today := s.today()
	year := display.LastEnded(today).Year
	y, err := queryInt(c, "year", int64(year), 2000, int64(today.Year()))
	if err != nil {
		return overviewView{}, err
	}
	year = int(y)
	periods := display.Periods(year, today)
	cells, err := s.db.Displays().Overview(ctx, org.Path, periods)
	if err != nil {
		return overviewView{}, err
	}
	v := overviewView{Org: org, Year: year, Cells: cells}
	for _, p := range periods {
		v.Periods = append(v.Periods, p.String())
	}
	for _, x := range cells {
		v.Raised, v.Upheld, v.Rejected, v.Open = v.Raised+x.Raised, v.Upheld+x.Upheld, v.Rejected+x.Rejected, v.Open+x.Open
		if x.Late {
			v.Late++
		}
		if x.DisplayID != nil {
			v.Published++
		}
	}
	return v, nil
}

type overviewView struct {
	Org                            seedling.Org
	Year                           int
	Periods                        []string
	Cells                          []display.OverviewCell
	Published, Late                int
	Raised, Upheld, Rejected, Open int
}

type overviewCellJSON struct {
	OrgID       int64   `json:"org_id"`
	OrgName     string  `json:"org_name"`
	Period      string  `json:"period"`
	DisplayID   *int64  `json:"display_id"`
	Published   bool    `json:"published"`
	PublishedOn *string `json:"published_on"`
	DueBy       string  `json:"due_by"`
	Late        bool    `json:"late"`
	Raised      int     `json:"raised"`
	Upheld      int     `json:"upheld"`
	Rejected    int     `json:"rejected"`
	Open        int     `json:"open"`
	AvgDays     float64 `json:"avg_days_to_answer"`
}

// apiDisplayOverview is the committee's overview as JSON.
func (s *Server) apiDisplayOverview(c *fiber.Ctx) error {
	v, err := s.overview(c)
	if err != nil {
		return err
	}
	out := make([]overviewCellJSON, 0, len(v.Cells))
	for _, x := range v.Cells {
		out = append(out, overviewCellJSON{OrgID: x.OrgID, OrgName: x.OrgName, Period: x.Period, DisplayID: x.DisplayID, Published: x.DisplayID != nil,
			PublishedOn: datePtrOut(x.PublishedOn), DueBy: x.DueBy.Format(seedling.DateLayout), Late: x.Late,
			Raised: x.Raised, Upheld: x.Upheld, Rejected: x.Rejected, Open: x.Open, AvgDays: x.AvgDays})
	}
	return c.JSON(fiber.Map{"org_id": v.Org.ID, "year": v.Year, "periods": v.Periods, "cells": out})
}

// apiDisplayOverviewXLSX exports the overview.
func (s *Server) apiDisplayOverviewXLSX(c *fiber.Ctx) error {
	v, err := s.overview(c)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	header := []string{translate(l, "field.org"), translate(l, "display.period"), translate(l, "overview.published"), translate(l, "overview.due_by"),
		translate(l, "overview.late"), translate(l, "overview.raised"), translate(l, "overview.upheld"), translate(l, "overview.rejected"),
		translate(l, "overview.open"), translate(l, "overview.avg_days")}
	yes, no := translate(l, "overview.yes"), translate(l, "overview.no")
	rows := make([][]string, 0, len(v.Cells))
	for _, x := range v.Cells {
		pub := no
		if x.PublishedOn != nil {
			pub = x.PublishedOn.Format(seedling.DateLayout)
		}
		late := no
		if x.Late {
			late = yes
		}
		rows = append(rows, []string{x.OrgName, x.Period, pub, x.DueBy.Format(seedling.DateLayout), late, strconv.Itoa(x.Raised),
			strconv.Itoa(x.Upheld), strconv.Itoa(x.Rejected), strconv.Itoa(x.Open), strconv.FormatFloat(x.AvgDays, 'f', 1, 64)})
	}
	return s.sendSheet(c, fmt.Sprintf("公示总览-%s-%d.xlsx", v.Org.Name, v.Year), header, rows)
}

// overviewPage shows the overview to committees and the department.
func (s *Server) overviewPage(c *fiber.Ctx) error {
	v, err := s.overview(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "display_overview", "overview.title", v)
}
