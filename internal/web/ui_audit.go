package web

import (
	"cmp"
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/seedling"
)

type auditPage struct {
	Rows  []auditLine
	OrgID string
	Next  string // cursor of the next (older) page
}

// auditLine is one event as a person reads it: a sentence naming who did
// what to whom. The chain's sequence numbers and hashes stay in the API
// and on the verification page.
type auditLine struct {
	seedling.Event
	Sentence string
}

// auditPageSize is how many events one screen shows.
const auditPageSize = 50

// auditPage shows the audit trail of the caller's subtree, with the same
// filters as the API, newest first, one keyset page at a time.
func (s *Server) auditPage(c *fiber.Ctx) error {
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	f.Page.Limit = auditPageSize
	events, err := s.db.Audit().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	names, err := s.auditNames(c.UserContext(), events)
	if err != nil {
		return err
	}
	l := s.localizer(c)
	data := auditPage{OrgID: c.Query("org_id"), Next: f.Page.Next}
	for _, e := range events {
		data.Rows = append(data.Rows, auditLine{Event: e, Sentence: auditSentence(l, names, e)})
	}
	return s.render(c, fiber.StatusOK, "audit", "audit.title", data)
}

// auditSentence words one event from audit.action.<action>, with the
// actor's and the subject's names. An action the catalog does not know
// yet is still a sentence, not its code.
func auditSentence(l *i18n.Localizer, names auditNames, e seedling.Event) string {
	key := "audit.action." + e.Action
	if translate(l, key) == key {
		key = "audit.action.other"
	}
	return translate(l, key, "Actor", names.actor(l, e.Actor), "Subject", names.subject(l, e.Target))
}

// auditNames are the names an audit page shows, looked up for the whole
// page in one statement: fifty events name a handful of people.
type auditNames map[string]string

func (s *Server) auditNames(ctx context.Context, events []seedling.Event) (auditNames, error) {
	var users, targets []string
	for _, e := range events {
		users = append(users, e.Actor)
		if kind, ref, ok := strings.Cut(e.Target, ":"); ok && kind == "user" {
			users = append(users, ref)
		} else {
			targets = append(targets, e.Target)
		}
	}
	return s.db.Audit().Names(ctx, users, targets)
}

// actor is an account's display name. Accounts are disabled, never
// deleted, so an actor without one is the system itself: the command line
// ("cli:root"), the setup that loads data, an anonymous attempt.
func (n auditNames) actor(l *i18n.Localizer, username string) string {
	if name, ok := n["user:"+username]; ok {
		return cmp.Or(name, username)
	}
	return translate(l, "audit.actor_system")
}

// subject names an event's target ("candidate:8", "user:activist",
// "display:3") in words. What has no name of its own (an objection, a
// filing) is called by its kind and number.
func (n auditNames) subject(l *i18n.Localizer, target string) string {
	kind, ref, ok := strings.Cut(target, ":")
	if !ok {
		return ""
	}
	switch kind {
	case "user":
		// a login that names no account, as typed
		return cmp.Or(n[target], ref)
	case "day":
		return ref
	case "candidate", "org", "display", "notice", "submission":
		if name := n[target]; name != "" {
			return name
		}
	}
	if key := "audit.subject." + kind; translate(l, key) != key {
		return translate(l, key, "ID", ref)
	}
	return "" // a refused attempt names what was asked, not a subject
}
