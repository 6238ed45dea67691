package web

import (
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
func (s *Server) bodyLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	const slack = 1 << 20 // the form's other fields and multipart framing
	switch uploadKind(string(h.Method()), string(h.RequestURI())) {
	case "evidence":
		return fasthttp.RequestConfig{MaxRequestBodySize: int(s.cfg.EvidenceMaxBytes) + slack, ReadTimeout: 5 * time.Minute}
	case "import":
		return fasthttp.RequestConfig{MaxRequestBodySize: int(s.cfg.ImportMaxBytes) + slack, ReadTimeout: 5 * time.Minute}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.BodyLimit}
}
