package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/seedling"
)

type noticeView struct {
	D        display.Display
	Rows     []display.Row
	Dims     []string
	Branch   string
	Keeper   string
	Masked   bool
	Settings display.Settings
}

// noticePage is the printable notice (公示): one A4 page in Chinese with
// the node, the period, the table, the window, how and to whom to object
// and the verification code. Where the organisation department masks
// names, readers outside the branch see them masked (张*华).
func (s *Server) noticePage(c *fiber.Ctx) error {
	d, _, err := s.loadDisplay(c, authz.Read)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	org, err := s.db.Orgs().ByID(ctx, d.OrgID)
	if err != nil {
		return err
	}
	branchPath, branch := org.Path, org.Name
	if org.Kind == seedling.KindGroup && org.ParentID != nil {
		parent, err := s.db.Orgs().ByID(ctx, *org.ParentID)
		if err != nil {
			return err
		}
		branchPath, branch = parent.Path, parent.Name
	}
	mask, err := s.db.Displays().MaskNames(ctx, d.ID)
	if err != nil {
		return err
	}
	v := noticeView{D: d, Rows: d.Rows, Branch: branch, Masked: mask && !insideBranch(currentSession(c).Principal, branchPath)}
	if v.Masked {
		v.Rows = make([]display.Row, len(d.Rows))
		for i, r := range d.Rows {
			r.Name = display.Mask(r.Name)
			v.Rows[i] = r
		}
	}
	if k, err := s.keeper(ctx, org.Path); err != nil {
		return err
	} else if k != nil {
		v.Keeper = k.DisplayName
	}
	if v.Settings, err = s.db.Displays().Settings(ctx, org.Path); err != nil {
		return err
	}
	_, names, err := s.rubricNow(c)
	if err != nil {
		return err
	}
	v.Dims = dimensionHeads(d, names)
	return s.render(c, fiber.StatusOK, "display_notice", "notice.title", v)
}

// insideBranch reports whether a grant of the caller lies in the branch:
// its members, candidates, secretary and group leaders read names in full.
func insideBranch(p *seedling.Principal, branchPath string) bool {
	for _, g := range p.Grants {
		if strings.HasPrefix(g.OrgPath, branchPath) {
			return true
		}
	}
	return false
}
