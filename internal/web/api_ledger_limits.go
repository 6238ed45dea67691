package web

import (
	"context"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// uploadKind tells which upload route a request is for, from its method and
// path alone, before the body is read.
func uploadKind(method, path string) string {
	if method != fasthttp.MethodPost {
		return ""
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	match := func(pattern ...string) bool {
		if len(parts) != len(pattern) {
			return false
		}
		for i, p := range pattern {
			if p != "*" && p != parts[i] {
				return false
			}
		}
		return true
	}
	switch {
	case match("api", "v1", "ledger", "*", "evidence"),
		match("candidates", "*", "ledger"),
		match("candidates", "*", "ledger", "*", "evidence"),
		match("api", "v1", "displays", "*", "objections"),
		match("displays", "*", "objections"):
		return "evidence"
	case match("api", "v1", "orgs", "*", "ledger", "import"),
		match("branches", "*", "import"):
		return "import"
	}
	return ""
}

// bodyLimits runs once the headers of a request are in, before its body is
// read: every route keeps the small global limit except the uploads, which
// get their own, and more time to arrive over a slow phone connection. A
// body announced larger than its limit is refused (413) without reading it,
// and a chunked one as soon as it passes the limit; the evidence handler
// enforces the file's own limit again while it streams the file to storage.
// Multipart bodies are spooled to temporary files past 16 MiB by fasthttp,
// so an upload does not sit in memory whole.
//
// Only an authenticated multipart request gets the large limit: an
// anonymous caller, or one posting JSON or a urlencoded form to an upload
// route, is cut at the small limit like everyone else.
func (s *Server) bodyLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	const slack = 1 << 20 // the form's other fields and multipart framing
	kind := uploadKind(string(h.Method()), string(h.RequestURI()))
	if kind != "" && !(strings.HasPrefix(string(h.ContentType()), "multipart/form-data") && s.signedIn(h)) {
		kind = ""
	}
	switch kind {
	case "evidence":
		return fasthttp.RequestConfig{MaxRequestBodySize: int(s.cfg.EvidenceMaxBytes) + slack, ReadTimeout: 5 * time.Minute}
	case "import":
		return fasthttp.RequestConfig{MaxRequestBodySize: int(s.cfg.ImportMaxBytes) + slack, ReadTimeout: 5 * time.Minute}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.BodyLimit}
}

// signedIn tells from the head alone whether the request carries a live
// session, before its body is read.
func (s *Server) signedIn(h *fasthttp.RequestHeader) bool {
	token, ok := strings.CutPrefix(string(h.Peek(fasthttp.HeaderAuthorization)), "Bearer ")
	if !ok {
		token = string(h.Cookie(sessionCookie))
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.sessions.Lookup(ctx, token)
	return err == nil
}
