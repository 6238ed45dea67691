package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/pipeline"
	"seedling/internal/seedling"
)

//go:embed templates locales static
var assets embed.FS

// renderer holds one parsed template set per page (layout + page), so pages
// can each define "content" without clashing.
type renderer struct {
	bundle *i18n.Bundle
	pages  map[string]*template.Template
}

func newRenderer() (*renderer, error) {
	bundle, err := newBundle(assets)
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"t":    translate,
		"date": func(v any) string { return formatDate(v) },
		// clock shows an instant in China time; templates never call
		// Format on a timestamp, which would print it in UTC.
		"clock": formatClock,
		"add":   func(a, b int) int { return a + b },
		// choice words a choice fact's value as the review page does.
		"choice": func(l *i18n.Localizer, lang string, f pipeline.FactSpec, v string) string {
			return choiceWord(l, f, v, lang == "en")
		},
		"seq": func(n int) []int {
			out := make([]int, max(n, 0))
			for i := range out {
				out[i] = i
			}
			return out
		},
		"mul": func(a, b int) int { return a * b },
		// deref shows an optional code (a priority group, as the
		// candidate and the ranking hold it) so a template can look it up.
		"deref": func(v any) string {
			switch g := v.(type) {
			case *seedling.PriorityGroup:
				if g != nil {
					return string(*g)
				}
			case *string:
				if g != nil {
					return *g
				}
			}
			return ""
		},
		"div": func(a, b int) int {
			if b == 0 {
				return 0
			}
			return a / b
		},
		"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"intOr": func(p *int, def int) int {
			if p == nil {
				return def
			}
			return *p
		},
		"lower": strings.ToLower,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &renderer{bundle: bundle, pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/pages/"), ".html")
		r.pages[name] = t
	}
	return r, nil
}

// view is what every page template receives. Page-specific data goes in Data.
type view struct {
	L       *i18n.Localizer
	Lang    string
	Title   string
	Path    string
	Session *session
	CSRF    string
	Flash   *flash
	Error   *seedling.Error
	Data    any
	can     func(obj, act string) bool
}

// Can tells a template whether to offer an action: a link shown is a link
// that works. The handlers still decide; this only keeps the page honest.
func (v *view) Can(obj, act string) bool { return v.can != nil && v.can(obj, act) }

// Has tells a template whether the caller holds a role anywhere.
func (v *view) Has(role string) bool {
	return v.Session != nil && v.Session.Principal.Has(seedling.Role(role))
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean error page, not half a page.
func (s *Server) render(c *fiber.Ctx, status int, page, titleID string, data any) error {
	return s.renderForm(c, status, page, titleID, data, nil)
}

// renderForm re-renders a form page with the error that refused it, so the
// user sees what to fix next to what they typed.
func (s *Server) renderForm(c *fiber.Ctx, status int, page, titleID string, data any, formErr *seedling.Error) error {
	t, ok := s.ui.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	v := s.view(c, titleID, data)
	v.Error = formErr
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

func (s *Server) view(c *fiber.Ctx, titleID string, data any) *view {
	lang := pickLanguage(c)
	l := i18n.NewLocalizer(s.ui.bundle, lang)
	v := &view{L: l, Lang: lang, Path: c.Path(), Data: data, Session: currentSession(c)}
	v.Title = translate(l, titleID)
	s.takeFlash(c, v)
	if v.Session != nil {
		v.CSRF = v.Session.CSRF
		p := v.Session.Principal
		v.can = func(obj, act string) bool {
			for _, g := range p.Grants {
				if s.authz.RoleMay(g.Role, obj, act) {
					return true
				}
			}
			return false
		}
	}
	return v
}

// renderError shows an error as a page in the user's language.
func (s *Server) renderError(c *fiber.Ctx, status int, de *seedling.Error) error {
	if err := s.render(c, status, "error", "error.title", de); err != nil {
		c.Type("txt", "utf-8")
		return c.Status(status).SendString(de.Message)
	}
	return nil
}
