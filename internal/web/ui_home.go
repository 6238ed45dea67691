package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

// treeNode is one line of the organisation tree as a page shows it.
type treeNode struct {
	seedling.Org
	Depth int
}

// homePage is each role's start page; for now it shows the organisation tree
// the caller may read.
func (s *Server) homePage(c *fiber.Ctx) error {
	roots := s.readableRoots(c)
	orgs, err := s.db.Orgs().Under(c.UserContext(), roots)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "home", "home.title", fiber.Map{"Tree": indentTree(orgs)})
}

// indentTree turns path-ordered nodes into display depths relative to the
// shallowest node shown.
func indentTree(orgs []seedling.Org) []treeNode {
	out := make([]treeNode, 0, len(orgs))
	base := -1
	for _, o := range orgs {
		d := strings.Count(o.Path, "/") - 2
		if base < 0 || d < base {
			base = d
		}
		out = append(out, treeNode{Org: o, Depth: d})
	}
	for i := range out {
		out[i].Depth -= base
	}
	return out
}

// switchLanguage remembers the chosen language and goes back to where the
// user was. Only local paths are followed, so the link cannot redirect away.
func (s *Server) switchLanguage(c *fiber.Ctx) error {
	lang := c.Params("lang")
	for _, l := range languages {
		if l == lang {
			c.Cookie(&fiber.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HTTPOnly: true, SameSite: "Lax", Secure: s.secure(c)})
		}
	}
	return c.Redirect(localPath(c.Query("back")), fiber.StatusSeeOther)
}

func (s *Server) secure(c *fiber.Ctx) bool { return s.cfg.SecureCookies || c.Protocol() == "https" }
