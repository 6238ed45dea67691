package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"seedling/internal/seedling"
)

// UserStore keeps accounts and their grants.
type UserStore struct{ db *DB }

// Users returns the account store.
func (db *DB) Users() *UserStore { return &UserStore{db: db} }

type userRow struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	DisplayName  string `db:"display_name"`
	PasswordHash string `db:"password_hash"`
	Disabled     bool   `db:"disabled"`
	CandidateID  *int64 `db:"candidate_id"`
}

func (r userRow) user() seedling.User {
	return seedling.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Disabled: r.Disabled}
}

const userColumns = `id, username, display_name, password_hash, disabled, candidate_id`

// NewUser is what it takes to open an account.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	CandidateID *int64
}

// Create opens an account.
func (s *UserStore) Create(ctx context.Context, a seedling.Actor, n NewUser) (seedling.User, error) {
	if err := seedling.ValidateUsername(n.Username); err != nil {
		return seedling.User{}, err
	}
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	if utf8.RuneCountInString(n.DisplayName) > 100 {
		return seedling.User{}, seedling.FieldError("display_name", "display name is longer than 100 characters")
	}
	hash, err := seedling.HashPassword(n.Password)
	if err != nil {
		return seedling.User{}, err
	}
	var u seedling.User
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var r userRow
		err := tx.GetContext(ctx, &r, `
			INSERT INTO users (username, display_name, password_hash, candidate_id)
			VALUES ($1, $2, $3, $4) RETURNING `+userColumns,
			n.Username, n.DisplayName, hash, n.CandidateID)
		if err != nil {
			if seedling.ErrorCode(translate(err)) == seedling.EConflict {
				return seedling.FieldError("username", "this username is taken")
			}
			return err
		}
		u = r.user()
		return audit(ctx, tx, a, "user.add", "user:"+n.Username, "display_name="+n.DisplayName)
	})
	return u, err
}

// ByUsername returns one account.
func (s *UserStore) ByUsername(ctx context.Context, username string) (seedling.User, error) {
	var r userRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE username = $1`, username); err != nil {
		return seedling.User{}, translate(err)
	}
	return r.user(), nil
}

// List returns every account; only the organisation department sees it.
func (s *UserStore) List(ctx context.Context) ([]seedling.User, error) {
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+userColumns+` FROM users ORDER BY username`); err != nil {
		return nil, translate(err)
	}
	out := make([]seedling.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// Grant gives a user a role at a node.
func (s *UserStore) Grant(ctx context.Context, a seedling.Actor, username string, role seedling.Role, orgID int64) error {
	if !role.Valid() {
		return seedling.FieldError("role", "unknown role")
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		uid, err := userID(ctx, tx, username)
		if err != nil {
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM orgs WHERE id = $1`, orgID); err != nil || n == 0 {
			return seedling.FieldError("org_id", "organisation does not exist")
		}
		if role == seedling.RoleCandidate {
			var cand *int64
			if err := tx.GetContext(ctx, &cand, `SELECT candidate_id FROM users WHERE id = $1`, uid); err != nil {
				return err
			}
			if cand == nil {
				return seedling.FieldError("role", "only an account linked to a candidate can hold the candidate role")
			}
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO grants (user_id, role, org_id) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, role, org_id) DO NOTHING`, uid, string(role), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already granted: nothing changed, nothing to audit
		}
		return audit(ctx, tx, withOrg(a, orgID), "grant.add", "user:"+username, "role="+string(role))
	})
}

// Revoke removes one grant.
func (s *UserStore) Revoke(ctx context.Context, a seedling.Actor, username string, role seedling.Role, orgID int64) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		uid, err := userID(ctx, tx, username)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE user_id = $1 AND role = $2 AND org_id = $3`, uid, string(role), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return seedling.Errorf(seedling.ENotFound, "no such grant")
		}
		return audit(ctx, tx, withOrg(a, orgID), "grant.revoke", "user:"+username, "role="+string(role))
	})
}

// SetPassword changes a password and ends every session of the account.
func (s *UserStore) SetPassword(ctx context.Context, a seedling.Actor, username, password string) error {
	hash, err := seedling.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		uid, err := userID(ctx, tx, username)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`, uid, hash); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, uid); err != nil {
			return err
		}
		return audit(ctx, tx, a, "user.password", "user:"+username, "sessions ended")
	})
}

// SetDisabled disables (or re-enables) an account; disabling ends its sessions.
func (s *UserStore) SetDisabled(ctx context.Context, a seedling.Actor, username string, disabled bool) error {
	return s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		uid, err := userID(ctx, tx, username)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $2 WHERE id = $1`, uid, disabled); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if err := endSessions(ctx, tx, uid); err != nil {
				return err
			}
		}
		return audit(ctx, tx, a, action, "user:"+username, "")
	})
}

func userID(ctx context.Context, tx *sqlx.Tx, username string) (int64, error) {
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT id FROM users WHERE username = $1`, username); err != nil {
		return 0, seedling.FieldError("username", "no such user")
	}
	return id, nil
}

// Principal loads a user with every grant and the nodes they sit at.
func (s *UserStore) Principal(ctx context.Context, userID int64) (*seedling.Principal, error) {
	var r principalRow
	err := s.db.GetContext(ctx, &r, `SELECT `+principalColumns+` FROM users u WHERE u.id = $1`, userID)
	if err != nil {
		return nil, translate(err)
	}
	return r.principal()
}

// principalColumns select an account (as u) with its grants as one JSON
// array, so that the caller of a request is known in one round trip.
const principalColumns = `u.id, u.username, u.display_name, '' AS password_hash, u.disabled, u.candidate_id,
	coalesce((SELECT json_agg(json_build_object('id', g.id, 'role', g.role, 'org_id', g.org_id, 'org_name', o.name, 'org_path', o.path)
	                          ORDER BY o.path, g.role)
	          FROM grants g JOIN orgs o ON o.id = g.org_id WHERE g.user_id = u.id), '[]') AS grants`

type principalRow struct {
	userRow
	Grants []byte `db:"grants"`
}

func (r principalRow) principal() (*seedling.Principal, error) {
	var grants []struct {
		ID      int64  `json:"id"`
		Role    string `json:"role"`
		OrgID   int64  `json:"org_id"`
		OrgName string `json:"org_name"`
		OrgPath string `json:"org_path"`
	}
	if err := json.Unmarshal(r.Grants, &grants); err != nil {
		return nil, err
	}
	p := &seedling.Principal{User: r.user(), CandidateID: r.CandidateID}
	for _, g := range grants {
		p.Grants = append(p.Grants, seedling.Grant{ID: g.ID, Role: seedling.Role(g.Role), OrgID: g.OrgID, OrgName: g.OrgName, OrgPath: g.OrgPath})
	}
	return p, nil
}

func withOrg(a seedling.Actor, orgID int64) seedling.Actor {
	if a.OrgID == nil {
		a.OrgID = &orgID
	}
	return a
}

// Accounts returns every account with its grants, for the organisation
// department's account page.
func (s *UserStore) Accounts(ctx context.Context) ([]seedling.Principal, error) {
	var rows []struct {
		userRow
		Role    *string `db:"role"`
		OrgID   *int64  `db:"org_id"`
		OrgName *string `db:"org_name"`
		OrgPath *string `db:"org_path"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT u.id, u.username, u.display_name, '' AS password_hash, u.disabled, u.candidate_id,
		       g.role, g.org_id, o.name AS org_name, o.path AS org_path
		FROM users u
		LEFT JOIN grants g ON g.user_id = u.id
		LEFT JOIN orgs o ON o.id = g.org_id
		ORDER BY u.username, o.path, g.role`)
	if err != nil {
		return nil, translate(err)
	}
	var out []seedling.Principal
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].User.ID != r.ID {
			out = append(out, seedling.Principal{User: r.user(), CandidateID: r.CandidateID})
		}
		if r.Role != nil {
			p := &out[len(out)-1]
			p.Grants = append(p.Grants, seedling.Grant{Role: seedling.Role(*r.Role), OrgID: *r.OrgID, OrgName: *r.OrgName, OrgPath: *r.OrgPath})
		}
	}
	return out, nil
}

// ChangeOwnPassword replaces a password after checking the current one.
func (s *UserStore) ChangeOwnPassword(ctx context.Context, a seedling.Actor, userID int64, current, next string) error {
	var r userRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID); err != nil {
		return translate(err)
	}
	if !seedling.CheckPassword(current, r.PasswordHash) {
		return seedling.FieldError("current_password", "the current password is wrong")
	}
	return s.SetPassword(ctx, a, r.Username, next)
}
