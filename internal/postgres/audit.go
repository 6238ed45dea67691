package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/seedling"
)

// audit appends one event in tx. A failure aborts the caller's transaction:
// a change without its audit row must not happen.
func audit(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, action, target, summary string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_events (actor_id, actor, role, org_id, action, target, request_id, ip, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.UserID, a.Username, string(a.Role), a.OrgID, action, target, a.RequestID, a.IP, summary)
	return err
}

// auditEach appends one event per target, with its summary, in one
// statement and in the order given: an action that makes a hundred things
// (a committee's displays, an import's chains) writes its hundred events
// in one round trip.
func auditEach(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, action string, targets, summaries []string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_events (actor_id, actor, role, org_id, action, target, request_id, ip, summary)
		SELECT $1, $2, $3, $4, $5, u.t, $7, $8, u.s
		FROM unnest($6::text[], $9::text[]) WITH ORDINALITY AS u (t, s, n) ORDER BY u.n`,
		a.UserID, a.Username, string(a.Role), a.OrgID, action, pq.Array(targets), a.RequestID, a.IP, pq.Array(summaries))
	return err
}

// AuditStore reads the trail and records events that change nothing else,
// such as a denied attempt.
type AuditStore struct{ db *DB }

// Audit returns the audit store.
func (db *DB) Audit() *AuditStore { return &AuditStore{db: db} }

// Record appends a standalone event in its own transaction.
func (s *AuditStore) Record(ctx context.Context, a seedling.Actor, action, target, summary string) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error { return audit(ctx, tx, a, action, target, summary) })
}

// AuditFilter narrows the trail. Roots is the caller's scope; events not tied
// to any node (logins) are shown only when IncludeUnscoped is set, which the
// caller grants to those whose scope is the whole tree.
type AuditFilter struct {
	Roots           []string
	IncludeUnscoped bool
	Before          *time.Time
	Limit           int // without a Page: the newest Limit events
	Page            *Page
}

type auditRow struct {
	ID        int64     `db:"id"`
	At        time.Time `db:"at"`
	Actor     string    `db:"actor"`
	Role      string    `db:"role"`
	OrgID     *int64    `db:"org_id"`
	Action    string    `db:"action"`
	Target    string    `db:"target"`
	RequestID string    `db:"request_id"`
	IP        string    `db:"ip"`
	Summary   string    `db:"summary"`
}

// List returns events newest first. A political review's row says that it
// happened and its outcome (in the action), never the conclusion: rows
// written before the conclusion was sealed still hold it, and the trail is
// append-only, so it is sealed on the way out.
func (s *AuditStore) List(ctx context.Context, f AuditFilter) ([]seedling.Event, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	args := []any{pq.Array(f.Roots), f.IncludeUnscoped, f.Before, f.Limit}
	keyset := ""
	if f.Page != nil {
		var k timeKey
		ok, err := f.Page.key(&k)
		if err != nil {
			return nil, err
		}
		args[3] = f.Page.limit() + 1
		if ok {
			args = append(args, k.At, k.ID)
			keyset = ` AND (e.at, e.id) < ($5, $6)`
		}
	}
	var rows []auditRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT e.id, e.at, e.actor, e.role, e.org_id, e.action, e.target, e.request_id, e.ip,
		       CASE WHEN e.action LIKE 'political_review.%' THEN '' ELSE e.summary END AS summary
		FROM audit_events e
		LEFT JOIN orgs o ON o.id = e.org_id
		WHERE (`+inSubtrees("o.path", 1)+`
		       OR (e.org_id IS NULL AND $2))
		  AND ($3::timestamptz IS NULL OR e.at < $3)`+keyset+`
		ORDER BY e.at DESC, e.id DESC
		LIMIT $4`, args...)
	if err != nil {
		return nil, translate(err)
	}
	rows = cut(f.Page, rows, func(r auditRow) any { return timeKey{r.At, r.ID} })
	out := make([]seedling.Event, len(rows))
	for i, r := range rows {
		out[i] = seedling.Event{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Role: r.Role, OrgID: r.OrgID, Action: r.Action,
			Target: r.Target, RequestID: r.RequestID, IP: r.IP, Summary: r.Summary}
	}
	return out, nil
}

// Names finds, in one statement, the words an audit page shows for its
// events: each account's display name by username ("user:<name>", "" when
// it has none) and the name behind each numbered target ("candidate:8",
// "org:3", "display:2" as node and period, "notice:5" and "submission:9"
// as the person's name). A target that is gone is absent from the map.
func (s *AuditStore) Names(ctx context.Context, usernames, targets []string) (map[string]string, error) {
	ids := map[string][]int64{}
	for _, t := range targets {
		kind, ref, ok := strings.Cut(t, ":")
		if id, err := strconv.ParseInt(ref, 10, 64); ok && err == nil {
			ids[kind] = append(ids[kind], id)
		}
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT 'user:' || username, display_name FROM users WHERE username = ANY($1)
		UNION ALL SELECT 'candidate:' || id, name FROM candidates WHERE id = ANY($2)
		UNION ALL SELECT 'org:' || id, name FROM orgs WHERE id = ANY($3)
		UNION ALL SELECT 'display:' || d.id, o.name || ' ' || d.period FROM displays d JOIN orgs o ON o.id = d.org_id WHERE d.id = ANY($4)
		UNION ALL SELECT 'notice:' || n.id, k.name FROM notices n JOIN candidates k ON k.id = n.candidate_id WHERE n.id = ANY($5)
		UNION ALL SELECT 'submission:' || b.id, k.name FROM submissions b JOIN candidates k ON k.id = b.candidate_id WHERE b.id = ANY($6)`,
		pq.Array(usernames), pq.Array(ids["candidate"]), pq.Array(ids["org"]), pq.Array(ids["display"]),
		pq.Array(ids["notice"]), pq.Array(ids["submission"]))
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var key, name string
		if err := rows.Scan(&key, &name); err != nil {
			return nil, err
		}
		out[key] = name
	}
	return out, rows.Err()
}
