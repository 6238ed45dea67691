package web

import (
	"errors"
	"maps"
	"regexp"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/valyala/fasthttp"

	"seedling/internal/seedling"
)

// statusOf is the one table from domain error code to HTTP status.
var statusOf = map[string]int{
	seedling.EInvalid:      fiber.StatusBadRequest,
	seedling.EUnauthorized: fiber.StatusUnauthorized,
	seedling.EForbidden:    fiber.StatusForbidden,
	seedling.ENotFound:     fiber.StatusNotFound,
	seedling.EConflict:     fiber.StatusConflict,
	seedling.ETooLarge:     fiber.StatusRequestEntityTooLarge,
	seedling.EUnsupported:  fiber.StatusUnsupportedMediaType,
	seedling.ERule:         fiber.StatusUnprocessableEntity,
	seedling.ETooMany:      fiber.StatusTooManyRequests,
	seedling.EUnavailable:  fiber.StatusServiceUnavailable,
	seedling.EInternal:     fiber.StatusInternalServerError,
}

// codeOfStatus turns Fiber's own errors (unknown route, body too large,
// wrong method) into domain codes so they leave in the same shape.
var codeOfStatus = map[int]string{
	fiber.StatusBadRequest:            seedling.EInvalid,
	fiber.StatusNotFound:              seedling.ENotFound,
	fiber.StatusMethodNotAllowed:      seedling.ENotFound,
	fiber.StatusRequestEntityTooLarge: seedling.ETooLarge,
	fiber.StatusUnsupportedMediaType:  seedling.EUnsupported,
	fiber.StatusRequestTimeout:        seedling.EInvalid,
	// A head larger than maxHeadBytes: too large, like a body.
	fiber.StatusRequestHeaderFieldsTooLarge: seedling.ETooLarge,
}

// messageOfStatus replaces the text of Fiber's and fasthttp's own errors,
// which can quote the request back (a snippet of its head) or name
// internals, by a catalog message.
var messageOfStatus = map[int]struct{ key, text string }{
	fiber.StatusBadRequest:                  {"error.malformed_request", "malformed request"},
	fiber.StatusRequestEntityTooLarge:       {"error.body_too_large", "request body is too large"},
	fiber.StatusRequestHeaderFieldsTooLarge: {"error.head_too_large", "request head is too large"},
	fiber.StatusRequestTimeout:              {"error.request_timeout", "the request took too long to arrive"},
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Problems names each field's reason by a stable code (the catalog key
	// without "problem."), for clients that act on it whatever the language.
	Problems map[string]string `json:"problems,omitempty"`
}

// problemCodes lists the stable code of each field's reason, where it has one.
func problemCodes(de *seedling.Error) map[string]string {
	if len(de.FieldKeys) == 0 {
		return nil
	}
	out := make(map[string]string, len(de.FieldKeys))
	for f, k := range de.FieldKeys {
		out[f] = strings.TrimPrefix(k.Key, "problem.")
	}
	return out
}

// asDomain normalises any error into a domain error; unknown errors become
// internal ones whose detail is logged, never shown.
func asDomain(err error) *seedling.Error {
	var de *seedling.Error
	if errors.As(err, &de) {
		return de
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code, ok := codeOfStatus[fe.Code]
		if !ok {
			code = seedling.EInvalid
		}
		if m, ok := messageOfStatus[fe.Code]; ok {
			return &seedling.Error{Code: code, Message: m.text, Key: m.key}
		}
		return &seedling.Error{Code: code, Message: strings.ToLower(fe.Message)}
	}
	return &seedling.Error{Code: seedling.EInternal, Message: "internal error"}
}

// hasHan tells Chinese text from English: a message without a catalog key
// yet is shown only to readers of its own language.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

var problemCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// localise words a domain error in language lang: the one place where
// codes and parameters become sentences. A message or field reason with a
// catalog key is translated; one without is shown only in its own
// language, and otherwise replaced by the catalog's text for its code, so
// that nobody reads a sentence in the other language. code and the keys
// of Fields never change.
func (s *Server) localise(lang string, de *seedling.Error) *seedling.Error {
	l := i18n.NewLocalizer(s.ui.bundle, lang)
	zh := lang == languages[0]
	out := &seedling.Error{Code: de.Code, Key: de.Key, Params: de.Params, FieldKeys: maps.Clone(de.FieldKeys), More: de.More}
	switch {
	case de.Key != "":
		out.Message = translateProblem(l, seedling.Problem{Key: de.Key, Params: de.Params})
	case de.Message != "" && hasHan(de.Message) == zh:
		out.Message = de.Message
	default:
		out.Message = translate(l, "error."+de.Code)
	}
	if de.More > 0 {
		out.Message = translate(l, "error.and_more", "Message", out.Message, "Count", de.More)
	}
	if len(de.Fields) > 0 {
		out.Fields = make(map[string]string, len(de.Fields))
	}
	for f, why := range de.Fields {
		k, ok := de.FieldKeys[f]
		if !ok && problemCode.MatchString(why) {
			if out.FieldKeys == nil {
				out.FieldKeys = map[string]seedling.Problem{}
			}
			// A reason given as a bare code (the account rules' last_root_admin)
			// is its catalog key; it says the whole error when the message has
			// no key of its own.
			if text := translate(l, "problem."+why); text != "problem."+why {
				k, ok = seedling.Problem{Key: "problem." + why}, true
				out.FieldKeys[f] = k
				if de.Key == "" {
					out.Message = text
				}
			}
		}
		switch {
		case ok:
			out.Fields[f] = translateProblem(l, k)
		case hasHan(why) == zh:
			out.Fields[f] = why
		default:
			out.Fields[f] = translate(l, "problem.invalid")
		}
	}
	return out
}

// shown is err as the caller reads it: a domain error in the request's
// language.
func (s *Server) shown(c *fiber.Ctx, err error) *seedling.Error {
	return s.localise(requestLanguage(c), asDomain(err))
}

// handleError is Fiber's error handler: the only place where an error becomes
// a status. API paths get JSON; pages get the HTML error page.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	secureHeaders(c)
	de := asDomain(err)
	status := statusOf[de.Code]
	if status == 0 {
		status = fiber.StatusInternalServerError
	}
	if de.Code == seedling.EInternal {
		s.log.Error("internal error", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		de = &seedling.Error{Code: seedling.EInternal, Key: "error.internal_request", Params: seedling.Params("Request", requestID(c))}
	}
	de = s.localise(requestLanguage(c), de)
	if status == fiber.StatusTooManyRequests || status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	if wantsHTML(c) {
		return s.renderError(c, status, de)
	}
	return c.Status(status).JSON(errorBody{Error: errorDetail{Code: de.Code, Message: de.Message, Fields: de.Fields, Problems: problemCodes(de)}})
}

// unreadKey marks a request whose head fasthttp could not read (too large,
// malformed) or threw away (a malformed multipart body resets the request):
// its path is unknown, so nobody can say it was a page.
const unreadKey = "seedling.unread"

// unreadRequest wraps the server's own error handler, which answers requests
// that never reached the router, to mark those whose head is gone.
func (s *Server) unreadRequest(next func(*fasthttp.RequestCtx, error)) func(*fasthttp.RequestCtx, error) {
	return func(ctx *fasthttp.RequestCtx, err error) {
		if len(ctx.Request.Header.RawHeaders()) == 0 {
			ctx.SetUserValue(unreadKey, true)
		}
		next(ctx, err)
	}
}

// wantsHTML tells a page request from an API call: everything outside the
// API and the machine endpoints is a page. A request whose head could not
// be read gets the JSON shape: no browser sends one.
func wantsHTML(c *fiber.Ctx) bool {
	if c.Context().UserValue(unreadKey) != nil {
		return false
	}
	p := c.Path()
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && p != "/readyz" && p != "/metrics"
}
