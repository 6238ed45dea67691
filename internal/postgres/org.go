package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"seedling/internal/seedling"
)

// OrgStore reads and changes the organisation tree.
type OrgStore struct{ db *DB }

// Orgs returns the tree store.
func (db *DB) Orgs() *OrgStore { return &OrgStore{db: db} }

type orgRow struct {
	ID       int64  `db:"id"`
	ParentID *int64 `db:"parent_id"`
	Kind     string `db:"kind"`
	Name     string `db:"name"`
	Path     string `db:"path"`
}

func (r orgRow) org() seedling.Org {
	return seedling.Org{ID: r.ID, ParentID: r.ParentID, Kind: seedling.OrgKind(r.Kind), Name: r.Name, Path: r.Path}
}

const orgColumns = `id, parent_id, kind, name, path`

// inSubtrees is the scope filter of every list: col is a node path lying
// under one of the paths in parameter $n, a text[] of paths with trailing
// slashes. Each path is a prefix scan on orgs_path_prefix.
func inSubtrees(col string, n int) string {
	return col + " LIKE ANY (SELECT r || '%' FROM unnest(CAST($" + itoa(int64(n)) + " AS text[])) AS r)"
}

// ByID returns one node.
func (s *OrgStore) ByID(ctx context.Context, id int64) (seedling.Org, error) {
	var r orgRow
	err := s.db.GetContext(ctx, &r, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, id)
	if err != nil {
		return seedling.Org{}, translate(err)
	}
	return r.org(), nil
}

// Under returns every node in the subtrees rooted at the given paths, ordered
// by path so a caller can render the tree in one pass. An empty list of roots
// returns nothing: scope is deny by default.
func (s *OrgStore) Under(ctx context.Context, roots []string) ([]seedling.Org, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	var rows []orgRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+orgColumns+` FROM orgs
		WHERE `+inSubtrees("path", 1)+`
		ORDER BY path`, pq.Array(roots))
	if err != nil {
		return nil, translate(err)
	}
	out := make([]seedling.Org, len(rows))
	for i, r := range rows {
		out[i] = r.org()
	}
	return out, nil
}

// Create adds a node under parent (nil for a root) after checking that its
// kind may sit there.
func (s *OrgStore) Create(ctx context.Context, a seedling.Actor, parentID *int64, kind seedling.OrgKind, name string) (seedling.Org, error) {
	if err := seedling.ValidateOrg(kind, name); err != nil {
		return seedling.Org{}, err
	}
	var out seedling.Org
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockTree(ctx, tx, false); err != nil {
			return err
		}
		var err error
		out, err = createOrg(ctx, tx, parentID, kind, strings.TrimSpace(name), nil)
		if err != nil {
			return err
		}
		return audit(ctx, tx, a, "org.add", "org:"+itoa(out.ID), string(kind)+" "+out.Name)
	})
	return out, err
}

func createOrg(ctx context.Context, tx *sqlx.Tx, parentID *int64, kind seedling.OrgKind, name string, code *string) (seedling.Org, error) {
	var parentKind seedling.OrgKind
	if parentID != nil {
		if err := tx.GetContext(ctx, &parentKind, `SELECT kind FROM orgs WHERE id = $1`, *parentID); err != nil {
			return seedling.Org{}, parentMissing(err)
		}
	}
	if err := seedling.CanPlace(kind, parentKind); err != nil {
		return seedling.Org{}, err
	}
	var r orgRow
	err := tx.GetContext(ctx, &r, `
		INSERT INTO orgs (parent_id, kind, name, code) VALUES ($1, $2, $3, $4)
		RETURNING `+orgColumns, parentID, string(kind), name, code)
	return r.org(), translate(err)
}

// parentMissing answers a parent that could not be read: a bad id in the
// request when it does not exist, else the database's own failure.
func parentMissing(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return seedling.FieldProblem(seedling.EInvalid, "parent_id", "problem.org_parent_missing", "the parent organisation does not exist")
	}
	return translate(err)
}

// treeLock names the transaction-level advisory lock that orders changes
// to the tree's shape.
const treeLock = `hashtextextended('seedling.org_tree', 0)`

// lockTree takes the tree's lock for the rest of tx: exclusive for a move,
// shared for adding a node. Two moves checked against each other's old
// paths could each pass the cycle test (A under B, B under A) and together
// make a cycle; a node added under a parent while its subtree moves would
// keep the old path. Moves are rare, so one lock for the tree costs nothing.
func lockTree(ctx context.Context, tx *sqlx.Tx, exclusive bool) error {
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	_, err := tx.ExecContext(ctx, `SELECT `+fn+`(`+treeLock+`)`)
	return err
}

// Move re-hangs a subtree under a new parent. Every descendant's path is
// rewritten in the same statement, so scopes granted on any node inside move
// with it: grants refer to node ids, never to paths. The paths are read
// after the tree's lock is held, so the cycle test sees every earlier move.
func (s *OrgStore) Move(ctx context.Context, a seedling.Actor, id, newParentID int64) error {
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockTree(ctx, tx, true); err != nil {
			return err
		}
		var node, parent orgRow
		if err := tx.GetContext(ctx, &node, `SELECT `+orgColumns+` FROM orgs WHERE id = $1 FOR UPDATE`, id); err != nil {
			return translate(err)
		}
		if err := tx.GetContext(ctx, &parent, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, newParentID); err != nil {
			return parentMissing(err)
		}
		if err := seedling.CanMove(node.org(), parent.org()); err != nil {
			return err
		}
		newPath := parent.Path + itoa(node.ID) + "/"
		if _, err := tx.ExecContext(ctx, `
			UPDATE orgs SET path = $2 || substr(path, length($1) + 1)
			WHERE path LIKE $1 || '%'`, node.Path, newPath); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET parent_id = $2 WHERE id = $1`, id, newParentID); err != nil {
			return err
		}
		return audit(ctx, tx, a, "org.move", "org:"+itoa(id), "from parent "+itoa(derefInt(node.ParentID))+" to "+itoa(newParentID))
	})
	if err == nil {
		// Every cached grant carries its node's path: this instance
		// forgets them now, the others on the trigger's notification.
		s.db.sessionCache.flush()
	}
	return err
}

// ByCode returns the node with a stable seed code.
func (s *OrgStore) ByCode(ctx context.Context, code string) (seedling.Org, error) {
	var r orgRow
	err := s.db.GetContext(ctx, &r, `SELECT `+orgColumns+` FROM orgs WHERE code = $1`, code)
	if err != nil {
		return seedling.Org{}, translate(err)
	}
	return r.org(), nil
}

func derefInt(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
