package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/ledger"
	"seedling/internal/seedling"
)

type rubricDimRow struct {
	Index        int
	Code         string
	Name, NameEn string
	Cap          string
}

type rubricCatRow struct {
	Index        int
	Code         string
	Name, NameEn string
	Dimension    string
	Min, Max     string
}

// rubricForm is the new-version form, as typed.
type rubricForm struct {
	EffectiveFrom string
	Note          string
	Dims          []rubricDimRow
	Cats          []rubricCatRow
}

type rubricVersionView struct {
	ledger.Rubric
	InForce bool
	Future  bool
	DimName map[string]string
}

type rubricView struct {
	Versions []rubricVersionView
	CanWrite bool
	Form     rubricForm
	Errors   map[string]string
	Problem  string
	Done     int
	DimCodes []string
	En       bool
}

// blankCategoryRows is how many empty lines the form offers for new
// categories.
const blankCategoryRows = 3

func (s *Server) rubricView(c *fiber.Ctx) (*rubricView, error) {
	rubrics, err := s.db.Rubric().Versions(c.UserContext())
	if err != nil {
		return nil, err
	}
	inForce, _ := rubrics.InForce(currentPeriod(s))
	v := &rubricView{Errors: map[string]string{}, DimCodes: ledger.Dimensions, En: langEn(c)}
	for i := len(rubrics) - 1; i >= 0; i-- {
		r := rubrics[i]
		rv := rubricVersionView{Rubric: r, InForce: r.Version == inForce.Version, Future: r.EffectiveFrom.After(s.today()), DimName: map[string]string{}}
		for _, d := range r.Dimensions {
			rv.DimName[d.Code] = pickName(v.En, d.NameZh, d.NameEn)
		}
		v.Versions = append(v.Versions, rv)
	}
	sess := currentSession(c)
	for _, g := range sess.Principal.Grants {
		if s.authz.RoleMay(g.Role, authz.Rubric, authz.Write) {
			v.CanWrite = true
		}
	}
	// The form starts from the latest version, effective from the first
	// quarter it may take.
	latest, _ := rubrics.Latest()
	next := currentPeriod(s).Next()
	for !next.Start().After(latest.EffectiveFrom) {
		next = next.Next()
	}
	v.Form.EffectiveFrom = formatDate(next.Start())
	for i, d := range latest.Dimensions {
		v.Form.Dims = append(v.Form.Dims, rubricDimRow{Index: i, Code: d.Code, Name: d.NameZh, NameEn: d.NameEn, Cap: strconv.Itoa(d.Cap)})
	}
	for i, c := range latest.Categories {
		v.Form.Cats = append(v.Form.Cats, rubricCatRow{Index: i, Code: c.Code, Name: c.NameZh, NameEn: c.NameEn, Dimension: c.Dimension,
			Min: strconv.Itoa(c.Min), Max: strconv.Itoa(c.Max)})
	}
	for i := 0; i < blankCategoryRows; i++ {
		v.Form.Cats = append(v.Form.Cats, rubricCatRow{Index: len(latest.Categories) + i})
	}
	return v, nil
}

// rubricPage shows every rubric version, the one in force marked, and to
// the organisation department the form for a new version.
func (s *Server) rubricPage(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Rubric, authz.Read); err != nil {
		return err
	}
	v, err := s.rubricView(c)
	if err != nil {
		return err
	}
	v.Done, _ = strconv.Atoi(c.Query("created"))
	return s.render(c, fiber.StatusOK, "rubric", "rubric.title", v)
}

// rubricCreate saves the form as a new version. Category lines left blank
// are skipped; a refused form comes back with each problem at its field.
func (s *Server) rubricCreate(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Rubric, authz.Write)
	if err != nil {
		return err
	}
	var form rubricForm
	form.EffectiveFrom, form.Note = c.FormValue("effective_from"), c.FormValue("note")
	draft := ledger.Rubric{Note: strings.TrimSpace(form.Note)}
	if t, err := seedling.ParseDate(strings.TrimSpace(form.EffectiveFrom)); err == nil {
		draft.EffectiveFrom = t
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0
		}
		return n
	}
	for i := range ledger.Dimensions {
		f := func(name string) string { return c.FormValue(fmt.Sprintf("dimensions[%d].%s", i, name)) }
		row := rubricDimRow{Index: i, Code: f("code"), Name: f("name"), NameEn: f("name_en"), Cap: f("cap")}
		form.Dims = append(form.Dims, row)
		draft.Dimensions = append(draft.Dimensions, ledger.Dimension{Code: strings.TrimSpace(row.Code), NameZh: strings.TrimSpace(row.Name),
			NameEn: strings.TrimSpace(row.NameEn), Cap: atoi(row.Cap)})
	}
	for i := 0; i < ledger.MaxCategories+blankCategoryRows; i++ {
		f := func(name string) string { return c.FormValue(fmt.Sprintf("categories[%d].%s", i, name)) }
		row := rubricCatRow{Code: f("code"), Name: f("name"), NameEn: f("name_en"), Dimension: f("dimension"), Min: f("min_points"), Max: f("max_points")}
		if strings.TrimSpace(row.Code+row.Name+row.NameEn+row.Min+row.Max) == "" {
			continue // a blank line
		}
		// Lines are renumbered without the blanks, so a refused form comes
		// back with draft category i on line i, where its problems point.
		row.Index = len(form.Cats)
		form.Cats = append(form.Cats, row)
		draft.Categories = append(draft.Categories, ledger.Category{Code: strings.TrimSpace(row.Code), NameZh: strings.TrimSpace(row.Name),
			NameEn: strings.TrimSpace(row.NameEn), Dimension: row.Dimension, Min: atoi(row.Min), Max: atoi(row.Max)})
	}
	r, err := s.db.Rubric().Create(c.UserContext(), a, draft)
	if err == nil {
		return c.Redirect(fmt.Sprintf("/rubric?created=%d", r.Version), fiber.StatusSeeOther)
	}
	de := s.shown(c, err)
	var ie *ledger.InputError
	if !errors.As(err, &ie) {
		return err
	}
	v, verr := s.rubricView(c)
	if verr != nil {
		return verr
	}
	for i := 0; i < blankCategoryRows; i++ {
		form.Cats = append(form.Cats, rubricCatRow{Index: len(form.Cats)})
	}
	v.Form = form
	l := s.localizer(c)
	for _, p := range ie.Problems {
		if _, ok := v.Errors[p.Field]; !ok {
			v.Errors[p.Field] = problemText(l, p)
		}
	}
	v.Problem = translate(l, "ledger.form.fix")
	return s.renderForm(c, statusOf[de.Code], "rubric", "rubric.title", v, de)
}
