package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// passwordForm is the own-password page; the passwords are never sent back.
type passwordForm struct {
	Errors map[string]string
}

// passwordPage lets anyone logged in change their own password.
func (s *Server) passwordPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "password", "password.title", passwordForm{})
}

// passwordSubmit changes the caller's password. The store ends every
// session of the account, this one too, so that a stolen session dies with
// the old password; the page then logs the person in again with the new
// password, on this device only, and says so in the status region after the
// redirect (post/redirect/get).
func (s *Server) passwordSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := currentSession(c).Principal.User
	next := c.FormValue("password")
	var err error
	if next != c.FormValue("password_confirm") {
		err = seedling.FieldProblem(seedling.EInvalid, "password_confirm", "problem.password_mismatch", "the two new passwords differ")
	} else {
		err = s.db.Users().ChangeOwnPassword(ctx, s.actor(c, nil), me.ID, c.FormValue("current_password"), next)
	}
	if err != nil {
		de := s.shown(c, err)
		if de.Code != seedling.EInvalid {
			return err
		}
		return s.renderForm(c, statusOf[de.Code], "password", "password.title", passwordForm{Errors: de.Fields}, de)
	}
	sess, err := s.sessions.Login(ctx, me.Username, next, s.actor(c, nil))
	if err != nil {
		// Changed, but not logged in again (a login limit, say): the person
		// must log in themselves, and the login page says so.
		s.clearSessionCookie(c)
		return s.redirectWith(c, "/login", "flash.password_relogin")
	}
	s.setSessionCookie(c, sess.Token)
	return s.redirectWith(c, "/me/password", "flash.password_changed")
}
