package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/display"
	"seedling/internal/pipeline"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// treeNode is one line of the organisation tree as a page shows it.
type treeNode struct {
	seedling.Org
	Depth int
}

// startSection is one block of the start page, for one grant of the caller:
// a user with two grants sees two blocks.
type startSection struct {
	Grant      seedling.Grant
	Todo       []todoCount // what to do now, first in the section
	Tree       []treeNode
	Candidates []seedling.Candidate
	ByStage    map[seedling.Stage]int
	Due        []postgres.DueEntry
	Decided    []postgres.Submission // approved or returned since the last visit
	Queue      []queueItem           // the committee's pending submissions
	People     []rosterLine          // a group's people with their scores
	Display    *display.Display      // a group's latest display
}

type homeData struct {
	Since    time.Time // "since your last visit"
	Sections []startSection
	Me       *seedling.Candidate
	MyNext   []pipeline.NextStep
	MyNews   []newsItem
	Stages   []seedling.Stage
	Displays displayStart
}

// homePage is each role's start page. Each leads with what that person must
// do now, with counts (startTodo, myNews): what came back from the
// committee since the last visit (seedling.Visit), what is overdue, what is
// waiting; then the organisation department and the committees see their
// tree and where people stand, a secretary or group leader their people, a
// candidate their own record.
func (s *Server) homePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := currentSession(c).Principal
	visit, err := s.db.Users().VisitHome(ctx, p.User.ID, s.db.Now())
	if err != nil {
		return err
	}
	data := homeData{Stages: seedling.Stages, Since: *visit.Since}
	if data.Displays, err = s.displayStart(c); err != nil {
		return err
	}
	rs, today := s.rules()
	for _, g := range p.Grants {
		sec := startSection{Grant: g}
		switch g.Role {
		case seedling.RoleCandidate:
			if p.CandidateID != nil && data.Me == nil {
				me, err := s.db.Candidates().ByID(ctx, *p.CandidateID)
				if err != nil {
					return err
				}
				subj, err := s.pipelineSubject(ctx, me)
				if err != nil {
					return err
				}
				data.Me, data.MyNext = &me, wordSteps(s.localizer(c), rs.NextSteps(subj, today))
				if data.MyNews, err = s.myNews(c, me, data.Since); err != nil {
					return err
				}
			}
			continue
		case seedling.RoleOrgAdmin, seedling.RoleCommittee:
			orgs, err := s.db.Orgs().Under(ctx, []string{g.OrgPath})
			if err != nil {
				return err
			}
			sec.Tree = indentTree(orgs)
		}
		if s.authz.RoleMay(g.Role, authz.Candidate, authz.Read) {
			// Counts come from SQL: a committee or the city must not load
			// every person below it to count them. Only a branch or a
			// group lists its people.
			var err error
			if sec.ByStage, err = s.db.Candidates().CountByStage(ctx, g.OrgPath); err != nil {
				return err
			}
			if g.Role == seedling.RoleSecretary || g.Role == seedling.RoleGroupLeader {
				if sec.Candidates, err = s.db.Candidates().List(ctx, postgres.CandidateFilter{Roots: []string{g.OrgPath}}); err != nil {
					return err
				}
			}
			if sec.Due, err = s.db.Pipeline().Due(ctx, []string{g.OrgPath}, rs, today); err != nil {
				return err
			}
			sec.Due = wordDue(s.localizer(c), sec.Due)
		}
		if err := s.startTodo(c, &sec, data.Since, data.Displays); err != nil {
			return err
		}
		data.Sections = append(data.Sections, sec)
	}
	return s.render(c, fiber.StatusOK, "home", "home.title", data)
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
