package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

type loginForm struct {
	Username string
	Next     string
}

// loginPage shows the login form.
func (s *Server) loginPage(c *fiber.Ctx) error {
	if currentSession(c) != nil {
		return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "login", "login.title", loginForm{Next: localPath(c.Query("next"))})
}

// loginSubmit checks the form, sets a fresh session cookie and goes to the
// page the user wanted, or their start page. A form posted from another site
// is refused: login CSRF would sign the victim into the attacker's account.
func (s *Server) loginSubmit(c *fiber.Ctx) error {
	if !sameOrigin(c) {
		return seedling.Errorf(seedling.EForbidden, "the form did not come from this site").Keyed("error.form_foreign")
	}
	form := loginForm{Username: c.FormValue("username"), Next: localPath(c.FormValue("next"))}
	sess, err := s.sessions.Login(c.UserContext(), form.Username, c.FormValue("password"), s.actor(c, nil))
	if err != nil {
		code := seedling.ErrorCode(err)
		if code != seedling.EUnauthorized && code != seedling.ETooMany {
			return err
		}
		return s.renderForm(c, statusOf[code], "login", "login.title", form, s.shown(c, err))
	}
	s.setSessionCookie(c, sess.Token)
	return c.Redirect(form.Next, fiber.StatusSeeOther)
}

// logoutSubmit ends the sessions and returns to the login page.
func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil {
		if err := s.sessions.Logout(c.UserContext(), sess.ID, s.actor(c, nil)); err != nil && seedling.ErrorCode(err) != seedling.EUnauthorized {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// sameOrigin accepts a request whose Origin (or, failing that, Referer) is
// this host; browsers send one of them on every form post.
func sameOrigin(c *fiber.Ctx) bool {
	src := c.Get(fiber.HeaderOrigin)
	if src == "null" {
		// An opaque origin: a sandboxed frame or a data: page, which is
		// exactly where a forged login form would be posted from.
		return false
	}
	if src == "" {
		src = c.Get(fiber.HeaderReferer)
	}
	if src == "" {
		return true // not a browser form post; nothing a browser could forge
	}
	u, err := url.Parse(src)
	return err == nil && u.Host == c.Hostname()
}
