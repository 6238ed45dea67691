package web

import (
	"cmp"
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"seedling/internal/postgres"
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
	l, names := s.localizer(c), newAuditNames(s.db)
	data := auditPage{OrgID: c.Query("org_id"), Next: f.Page.Next}
	for _, e := range events {
		data.Rows = append(data.Rows, auditLine{Event: e, Sentence: auditSentence(c.UserContext(), l, names, e)})
	}
	return s.render(c, fiber.StatusOK, "audit", "audit.title", data)
}

// auditSentence words one event from audit.action.<action>, with the
// actor's and the subject's names. An action the catalog does not know
// yet is still a sentence, not its code.
func auditSentence(ctx context.Context, l *i18n.Localizer, names *auditNames, e seedling.Event) string {
	key := "audit.action." + e.Action
	if translate(l, key) == key {
		key = "audit.action.other"
	}
	return translate(l, key, "Actor", names.actor(ctx, l, e.Actor), "Subject", names.subject(ctx, l, e.Target))
}

// auditNames looks up the names an audit page shows, each once per page:
// a page holds fifty events about a handful of people.
type auditNames struct {
	db    *postgres.DB
	known map[string]string
}

func newAuditNames(db *postgres.DB) *auditNames {
	return &auditNames{db: db, known: map[string]string{}}
}

// actor is an account's display name. Accounts are disabled, never
// deleted, so an actor without one is the system itself: the command line
// ("cli:root"), the setup that loads data, an anonymous attempt.
func (n *auditNames) actor(ctx context.Context, l *i18n.Localizer, username string) string {
	name := n.once("actor:"+username, func() string {
		if u, err := n.db.Users().ByUsername(ctx, username); err == nil {
			return cmp.Or(u.DisplayName, username)
		}
		return ""
	})
	return cmp.Or(name, translate(l, "audit.actor_system"))
}

func (n *auditNames) user(ctx context.Context, username string) string {
	return n.once("user:"+username, func() string {
		u, err := n.db.Users().ByUsername(ctx, username)
		if err != nil || u.DisplayName == "" {
			return username // a login that names no account, as typed
		}
		return u.DisplayName
	})
}

// subject names an event's target ("candidate:8", "user:activist",
// "display:3") in words. What has no name of its own (an objection, a
// filing) is called by its kind and number.
func (n *auditNames) subject(ctx context.Context, l *i18n.Localizer, target string) string {
	kind, ref, ok := strings.Cut(target, ":")
	if !ok {
		return ""
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	switch kind {
	case "user":
		return n.user(ctx, ref)
	case "day":
		return ref
	case "candidate", "org", "display", "notice", "submission":
		if name := n.once(target, func() string { return n.lookup(ctx, kind, id) }); name != "" {
			return name
		}
	}
	if key := "audit.subject." + kind; translate(l, key) != key {
		return translate(l, key, "ID", ref)
	}
	return "" // a refused attempt names what was asked, not a subject
}

// lookup finds the name behind one numbered target, "" if it is gone.
func (n *auditNames) lookup(ctx context.Context, kind string, id int64) string {
	switch kind {
	case "candidate":
		if c, err := n.db.Candidates().ByID(ctx, id); err == nil {
			return c.Name
		}
	case "org":
		if o, err := n.db.Orgs().ByID(ctx, id); err == nil {
			return o.Name
		}
	case "display":
		if d, err := n.db.Displays().Get(ctx, id); err == nil {
			return d.OrgName + " " + d.Period
		}
	case "notice":
		if d, err := n.db.Notices().Get(ctx, id); err == nil {
			return d.CandidateName
		}
	case "submission":
		if sub, err := n.db.Pipeline().SubmissionByID(ctx, id); err == nil {
			return sub.CandidateName
		}
	}
	return ""
}

func (n *auditNames) once(key string, find func() string) string {
	if v, ok := n.known[key]; ok {
		return v
	}
	v := find()
	n.known[key] = v
	return v
}
