package web

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// flashCookie carries the confirmation of a form across its redirect
// (post/redirect/get): the POST names what happened, the GET that follows
// says it once in the status region at the top of the page, and a refresh
// neither resends the form nor repeats the message. It holds a catalog key
// and its parameters, never text: only keys under "flash." are shown, so a
// forged cookie can at most print one of our own sentences, escaped.
const flashCookie = "seedling_flash"

// flashLink is the parameter that turns the confirmation into a link (the
// next item of a queue); it must be a local path.
const flashLink = "Link"

// redirectWith redirects with a confirmation for the page it lands on.
func (s *Server) redirectWith(c *fiber.Ctx, to, id string, params ...string) error {
	v := url.Values{"id": {id}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: v.Encode(), Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure(c), MaxAge: 60})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// flash is a confirmation ready for the layout.
type flash struct {
	Text, Link string
}

// takeFlash reads and forgets the confirmation the last redirect left.
func (s *Server) takeFlash(c *fiber.Ctx, v *view) {
	raw := c.Cookies(flashCookie)
	if raw == "" {
		return
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure(c), MaxAge: -1})
	vals, err := url.ParseQuery(raw)
	id := vals.Get("id")
	if err != nil || !strings.HasPrefix(id, "flash.") {
		return
	}
	var args []any
	for k := range vals {
		if k != "id" {
			args = append(args, k, vals.Get(k))
		}
	}
	text := translate(v.L, id, args...)
	if text == id {
		return // not a catalog key: show nothing rather than a code
	}
	v.Flash = &flash{Text: text}
	if l := vals.Get(flashLink); l != "" && localPath(l) == l {
		v.Flash.Link = l
	}
}
