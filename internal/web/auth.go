package web

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/seedling"
)

const sessionCookie = "seedling_session"

// authenticate finds the caller from a bearer token (API clients) or the
// session cookie (browsers). It never refuses: the guards on the routes do.
// Cookie-borne requests that change state must carry the CSRF token; bearer
// requests need none, since a browser never adds that header by itself.
func (s *Server) authenticate(c *fiber.Ctx) error {
	token, viaCookie := "", false
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return seedling.Errorf(seedling.EUnauthorized, "authorization must be a Bearer token").Keyed("error.bearer")
		}
		token = strings.TrimSpace(t)
	} else if v := c.Cookies(sessionCookie); v != "" {
		token, viaCookie = v, true
	}
	if token == "" {
		return c.Next()
	}
	sess, err := s.sessions.Lookup(c.UserContext(), token)
	switch {
	case seedling.ErrorCode(err) == seedling.EUnauthorized && viaCookie:
		// A stale cookie is forgotten, and the request goes on as anonymous.
		s.clearSessionCookie(c)
		return c.Next()
	case err != nil:
		return err
	}
	c.Locals(sessionKey, &session{Principal: sess.Principal, ID: token, CSRF: sess.CSRF, ViaCookie: viaCookie})
	if viaCookie && !safeMethod(c.Method()) {
		if err := checkCSRF(c, sess.CSRF); err != nil {
			return err
		}
	}
	return c.Next()
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// checkCSRF accepts the token from the form field or the X-CSRF-Token header.
func checkCSRF(c *fiber.Ctx, want string) error {
	got := c.Get("X-CSRF-Token")
	if got == "" && isForm(c) {
		got = c.FormValue("csrf")
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return seedling.Errorf(seedling.EForbidden, "the form has expired or did not come from this site; reload the page and try again").Keyed("error.form_expired")
	}
	return nil
}

func isForm(c *fiber.Ctx) bool {
	ct := c.Get(fiber.HeaderContentType)
	return strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm)
}

// loggedIn guards routes that need a session: an API call gets 401, a page
// request goes to the login page and comes back afterwards.
func (s *Server) loggedIn(c *fiber.Ctx) error {
	if currentSession(c) != nil {
		return c.Next()
	}
	if wantsHTML(c) && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+c.OriginalURL(), fiber.StatusSeeOther)
	}
	return seedling.Errorf(seedling.EUnauthorized, "please log in").Keyed("error.unauthorized")
}

// authorize decides one action on one object for the caller and returns the
// actor to write into the audit row. A denial is itself audited.
func (s *Server) authorize(c *fiber.Ctx, t authz.Target, obj, act string) (seedling.Actor, error) {
	sess := currentSession(c)
	if sess == nil {
		return seedling.Actor{}, seedling.Errorf(seedling.EUnauthorized, "please log in").Keyed("error.unauthorized")
	}
	g, err := s.authz.Check(sess.Principal, t, obj, act)
	if err != nil {
		s.recordDenied(c, obj, act, t.Path)
		return seedling.Actor{}, err
	}
	return s.actor(c, &g), nil
}

// authorizeRole is for actions on no particular node (listing accounts,
// reading one's scope of the audit trail): some grant's role must allow it.
// It returns the actor of the widest such grant.
func (s *Server) authorizeRole(c *fiber.Ctx, obj, act string) (seedling.Actor, error) {
	sess := currentSession(c)
	if sess == nil {
		return seedling.Actor{}, seedling.Errorf(seedling.EUnauthorized, "please log in").Keyed("error.unauthorized")
	}
	for _, g := range sess.Principal.Grants {
		if s.authz.RoleMay(g.Role, obj, act) {
			return s.actor(c, &g), nil
		}
	}
	s.recordDenied(c, obj, act, "")
	return seedling.Actor{}, seedling.Errorf(seedling.EForbidden, "your role may not do this").Keyed("error.forbidden")
}

func (s *Server) recordDenied(c *fiber.Ctx, obj, act, where string) {
	if err := s.db.Audit().Record(c.UserContext(), s.actor(c, nil), "denied", obj+":"+act, where); err != nil {
		s.log.Error("audit of a denial failed", "request_id", requestID(c), "err", err)
	}
}

// actor describes the caller for the audit trail; g is the grant that
// authorised the action, when there is one.
func (s *Server) actor(c *fiber.Ctx, g *seedling.Grant) seedling.Actor {
	a := seedling.Actor{RequestID: requestID(c), IP: s.clientIP(c)}
	if sess := currentSession(c); sess != nil {
		id := sess.Principal.User.ID
		a.UserID, a.Username = &id, sess.Principal.User.Username
	}
	if g != nil {
		org := g.OrgID
		a.Role, a.OrgID = g.Role, &org
	}
	return a
}

// roots is the caller's scope for a list of obj.
func (s *Server) roots(c *fiber.Ctx, obj, act string) []string {
	sess := currentSession(c)
	if sess == nil {
		return nil
	}
	return s.authz.Roots(sess.Principal, obj, act)
}

// readableRoots is the part of the tree the caller may see.
func (s *Server) readableRoots(c *fiber.Ctx) []string { return s.roots(c, authz.Org, authz.Read) }

func (s *Server) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.secure(c), MaxAge: int(s.sessions.Absolute.Seconds())})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.secure(c), MaxAge: -1})
}
