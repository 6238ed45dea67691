package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// Languages the UI speaks; the first is the default. Chinese comes first:
// branch secretaries and activists read Chinese, English is for visitors.
var languages = []string{"zh-CN", "en"}

const langCookie = "lang"

func newBundle(files fs.FS) (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.MustParse(languages[0]))
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range languages {
		if _, err := b.LoadMessageFileFS(files, "locales/active."+l+".json"); err != nil {
			return nil, fmt.Errorf("message catalog %s: %w", l, err)
		}
	}
	return b, nil
}

// pickLanguage honours an explicit choice (the cookie set by the language
// switch) and otherwise answers in Chinese, whatever the browser says: the
// product is Chinese first.
func pickLanguage(c *fiber.Ctx) string {
	want := c.Cookies(langCookie)
	for _, l := range languages {
		if strings.EqualFold(want, l) {
			return l
		}
	}
	return languages[0]
}

// apiLanguage is the language of an API answer's messages: the
// Accept-Language header's best match, Chinese when it names neither.
func apiLanguage(c *fiber.Ctx) string {
	tags, _, err := language.ParseAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage))
	if err != nil || len(tags) == 0 {
		return languages[0]
	}
	_, i, conf := languageMatcher.Match(tags...)
	if conf == language.No {
		return languages[0]
	}
	return languages[i]
}

var languageMatcher = language.NewMatcher([]language.Tag{language.MustParse("zh-CN"), language.English})

// requestLanguage is the language a request is answered in: a page
// follows the language switch, an API call its Accept-Language.
func requestLanguage(c *fiber.Ctx) string {
	if wantsHTML(c) {
		return pickLanguage(c)
	}
	return apiLanguage(c)
}

// translateProblem words a coded problem; parameters that are codes
// themselves (a stage, a sheet column) are worded too.
func translateProblem(l *i18n.Localizer, p seedling.Problem) string {
	var args []any
	for k, v := range p.Params {
		switch k {
		case "Stage", "From", "To":
			v = translate(l, fmt.Sprintf("stage.%v", v))
		case "Col":
			v = translate(l, fmt.Sprintf("import.col.%v", v))
		case "Doc":
			v = translate(l, fmt.Sprintf("rule.doc.%v", v))
		}
		if w, ok := v.(seedling.Words); ok {
			v = w.Zh
			if english(l) {
				v = w.En
			}
		}
		args = append(args, k, v)
	}
	return translate(l, p.Key, args...)
}

// english says whether l speaks English: the one thing a problem's
// two-language values (seedling.Words) need to know.
func english(l *i18n.Localizer) bool {
	_, tag, err := l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: "error.internal"})
	return err == nil && tag == language.English
}

// wordDue words each due-list item in the reader's language.
func wordDue(l *i18n.Localizer, items []postgres.DueEntry) []postgres.DueEntry {
	for i, it := range items {
		if it.Key != "" {
			items[i].Message = translateProblem(l, seedling.Problem{Key: it.Key, Params: it.Params})
		}
	}
	return items
}

// wordSteps words what blocks each step, and the article it cites, in
// the reader's language; the rule codes stay as they are.
func wordSteps(l *i18n.Localizer, steps []pipeline.NextStep) []pipeline.NextStep {
	for _, st := range steps {
		for i, b := range st.BlockedBy {
			if b.Why.Key != "" {
				st.BlockedBy[i].Message = translateProblem(l, b.Why)
			}
			if b.Cite.Key != "" {
				st.BlockedBy[i].Article = translateProblem(l, b.Cite)
			}
		}
	}
	return steps
}

// translate looks a message up; a missing key shows the key itself so that a
// gap in a catalog is visible rather than a blank.
func translate(l *i18n.Localizer, id string, args ...any) string {
	var data map[string]any
	if len(args) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// localizer speaks the caller's language.
func (s *Server) localizer(c *fiber.Ctx) *i18n.Localizer {
	return i18n.NewLocalizer(s.ui.bundle, requestLanguage(c))
}
