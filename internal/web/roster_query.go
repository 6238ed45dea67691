package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/ledger"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

// rosterQuery is what a roster is asked for, by the API and the page alike:
// a stage, a part of a name, a priority group, eligible or not, and the
// keyset page. The strings are kept as asked, for the page's form.
type rosterQuery struct {
	Stage, Name, Group, Eligible string
	limit                        int
	filter                       postgres.StandingFilter
	eligible                     *bool
}

// readRosterQuery reads ?stage=&q=&group=&eligible= for a node's roster;
// an unknown value is the caller's mistake at its field.
func readRosterQuery(c *fiber.Ctx, org seedling.Org, page *postgres.Page) (rosterQuery, error) {
	q := rosterQuery{Stage: c.Query("stage"), Name: strings.TrimSpace(c.Query("q")), Group: c.Query("group"), Eligible: c.Query("eligible")}
	stages, err := rosterStages(c)
	if err != nil {
		return q, err
	}
	if len([]rune(q.Name)) > 50 {
		return q, seedling.FieldProblem(seedling.EInvalid, "q", "problem.too_long", "a name is at most 50 characters", "Max", 50)
	}
	if page != nil {
		q.limit = pageLimit(page)
	}
	q.filter = postgres.StandingFilter{Under: org.Path, Stages: stages, Name: q.Name, Group: seedling.PriorityGroup(q.Group), Page: page}
	if q.Group != "" && !seedling.PriorityGroup(q.Group).Valid() {
		return q, seedling.FieldProblem(seedling.EInvalid, "group", "problem.group_unknown", "unknown priority group")
	}
	switch q.Eligible {
	case "":
	case "true", "false":
		yes := q.Eligible == "true"
		q.eligible = &yes
	default:
		return q, seedling.FieldProblem(seedling.EInvalid, "eligible", "problem.eligible_bool", "eligible is true or false")
	}
	return q, nil
}

// Filtered reports whether the roster is narrowed by anything but the page.
func (q rosterQuery) Filtered() bool {
	return q.Stage != "" || q.Name != "" || q.Group != "" || q.Eligible != ""
}

// nextURL is the roster page after this one, with the same filters, or ""
// on the last page.
func (q rosterQuery) nextURL(org seedling.Org, next string) string {
	if next == "" {
		return ""
	}
	v := url.Values{"cursor": {next}, "limit": {strconv.Itoa(q.limit)}}
	for k, x := range map[string]string{"stage": q.Stage, "q": q.Name, "group": q.Group, "eligible": q.Eligible} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return fmt.Sprintf("/branches/%d/roster?%s", org.ID, v.Encode())
}

// scoredRoster reads one page of a roster with its scores. Whether someone
// is eligible is the ledger's rule (ledger.Assess), decided in Go and not
// in SQL, so a page asked for eligible people only is filled by reading on:
// each read asks for as many rows as are still missing, which makes the
// cursor of the last read the start of the next page.
func (s *Server) scoredRoster(ctx context.Context, q rosterQuery) ([]postgres.Scored, ledger.Rubrics, error) {
	if q.eligible == nil {
		return s.scored(ctx, q.filter)
	}
	f, page := q.filter, q.filter.Page
	var out []postgres.Scored
	var rubrics ledger.Rubrics
	cursor := ""
	if page != nil {
		cursor = page.Cursor
	}
	for {
		if page != nil {
			f.Page = &postgres.Page{Limit: pageLimit(page) - len(out), Cursor: cursor}
		}
		list, r, err := s.scored(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		rubrics = r
		for _, x := range list {
			if x.Eligibility.Eligible == *q.eligible {
				out = append(out, x)
			}
		}
		if page == nil {
			return out, rubrics, nil
		}
		cursor, page.Next = f.Page.Next, f.Page.Next
		if page.Next == "" || len(out) >= pageLimit(page) {
			return out, rubrics, nil
		}
	}
}

// pageLimit is the page size a Page asks for, defaulted as the store does.
func pageLimit(p *postgres.Page) int {
	if p.Limit <= 0 {
		return postgres.DefaultPageLimit
	}
	return min(p.Limit, postgres.MaxPageLimit)
}
