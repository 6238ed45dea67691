package web

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"seedling/internal/seedling"
)

// contentSecurityPolicy allows the page's own scripts, styles, images and
// form targets only: no inline script or style, no plugins, no <base>
// rewriting, no framing (clickjacking).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders go on every response, errors included. Everything but the
// static assets is personal (pages, exports, API answers, evidence), so
// nothing may be kept by a browser or a proxy; the static route sets its own
// caching after this.
func secureHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderCacheControl, "no-store")
}

// guard runs before any route reads the request: it sets the secure
// headers, refuses compressed bodies (Fiber would inflate them without a
// bound: a 300 KB gzip becomes gigabytes), refuses control characters in
// the path, the query and form fields, and holds uploads to a fixed number
// at a time.
func (s *Server) guard(c *fiber.Ctx) error {
	secureHeaders(c)
	if ce := c.Get(fiber.HeaderContentEncoding); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
		return seedling.Errorf(seedling.EUnsupported, "request bodies must not be compressed (Content-Encoding)").Keyed("error.compressed")
	}
	if err := s.checkArgs(c); err != nil {
		return err
	}
	if uploadKind(c.Method(), c.Path()) == "" {
		return c.Next()
	}
	select {
	case s.uploads <- struct{}{}:
		defer func() { <-s.uploads }()
		return c.Next()
	default:
		return seedling.Errorf(seedling.EUnavailable, "too many uploads at once; try again in a minute").Keyed("error.uploads_busy")
	}
}

// checkArgs runs every query and form value through the text check, so a
// NUL or an escape sequence never reaches a handler, a log line or the
// database, whichever field it arrives in.
func (s *Server) checkArgs(c *fiber.Ctx) error {
	if err := seedling.CheckText("path", c.Path()); err != nil {
		return err
	}
	var bad error
	check := func(k, v []byte) {
		if bad != nil {
			return
		}
		if bad = seedling.CheckText("field name", string(k)); bad == nil {
			bad = seedling.CheckText(string(k), string(v))
		}
	}
	visit := func(args *fasthttp.Args) {
		for k, v := range args.All() {
			check(k, v)
		}
	}
	visit(c.Request().URI().QueryArgs())
	if bad != nil {
		return bad
	}
	ct := c.Get(fiber.HeaderContentType)
	switch {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		visit(c.Request().PostArgs())
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		form, err := c.MultipartForm()
		if err != nil {
			return seedling.Errorf(seedling.EInvalid, "malformed multipart form").Keyed("error.multipart_malformed")
		}
		for k, vs := range form.Value {
			for _, v := range vs {
				check([]byte(k), []byte(v))
			}
		}
	}
	return bad
}

// localPath is the one check of a redirect target that came from input
// (back, next): it must be a path on this site. Browsers drop tabs and
// newlines from URLs and read a backslash as a slash, so "/\t/evil.example"
// or "/\evil.example" would leave the site; such targets, anything with a
// scheme or a host or an invisible character, and anything that decodes to
// one, become "/".
func localPath(p string) string {
	if !isLocalPath(p) {
		return "/"
	}
	if d, err := url.PathUnescape(p); err != nil || !isLocalPath(d) {
		return "/"
	}
	return p
}

func isLocalPath(p string) bool {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return false
	}
	for _, r := range p {
		if r == '\\' || !unicode.IsPrint(r) {
			return false // controls, bidi and zero-width marks, backslashes
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

// parseProxies reads --trusted-proxies: addresses or CIDR ranges.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, seedling.Errorf(seedling.EInvalid, "trusted proxy %q is not an address or a CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the caller's address for the audit trail, the logs and the
// login throttle. Behind trusted proxies it is the right-most hop of
// X-Forwarded-For that is not itself a trusted proxy: every hop left of it
// was written by the client and proves nothing. A hop that does not parse
// as an address ends the walk at the last proxy we trust.
func (s *Server) clientIP(c *fiber.Ctx) string {
	addr, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	addr = addr.Unmap()
	if !s.trustedProxy(addr) {
		return addr.String()
	}
	var hops []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(h), ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = a.Unmap()
		if !s.trustedProxy(addr) {
			break
		}
	}
	return addr.String()
}
