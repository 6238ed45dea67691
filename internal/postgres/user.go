package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

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
	name, err := seedling.DisplayName(n.DisplayName, n.Username)
	if err != nil {
		return seedling.User{}, err
	}
	n.DisplayName = name
	hash, err := seedling.HashPassword(n.Password)
	if err != nil {
		return seedling.User{}, err
	}
	var u seedling.User
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var r userRow
		err := tx.GetContext(ctx, &r, `
			INSERT INTO users (username, display_name, password_hash, candidate_id, home_org_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns,
			n.Username, n.DisplayName, hash, n.CandidateID, a.OrgID)
		if err != nil {
			if seedling.ErrorCode(translate(err)) == seedling.EConflict {
				return seedling.FieldProblem(seedling.EInvalid, "username", "problem.username_taken", "this username is taken")
			}
			return err
		}
		u = r.user()
		return audit(ctx, tx, a, "user.add", "user:"+n.Username, "display_name="+n.DisplayName)
	})
	return u, err
}

// ByUsername returns one account; usernames compare without regard to case.
func (s *UserStore) ByUsername(ctx context.Context, username string) (seedling.User, error) {
	var r userRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE lower(username) = lower($1)`, username); err != nil {
		return seedling.User{}, translate(err)
	}
	return r.user(), nil
}

// loadAccount reads the facts the account rules decide on and locks the
// account's row, so that two administrators changing it serialise.
func loadAccount(ctx context.Context, tx *sqlx.Tx, username string) (seedling.Account, error) {
	var r struct {
		userRow
		CandidatePath *string `db:"candidate_path"`
		HomePath      *string `db:"home_path"`
		Grants        []byte  `db:"grants"`
	}
	err := tx.GetContext(ctx, &r, `
		SELECT u.id, u.username, u.display_name, '' AS password_hash, u.disabled, u.candidate_id,
		       (SELECT o.path FROM candidates c JOIN orgs o ON o.id = c.org_id WHERE c.id = u.candidate_id) AS candidate_path,
		       (SELECT o.path FROM orgs o WHERE o.id = u.home_org_id) AS home_path,
		       coalesce((SELECT json_agg(json_build_object('role', g.role, 'org_id', g.org_id, 'org_name', o.name, 'org_path', o.path))
		                 FROM grants g JOIN orgs o ON o.id = g.org_id WHERE g.user_id = u.id), '[]') AS grants
		FROM users u WHERE lower(u.username) = lower($1)
		FOR UPDATE OF u`, username)
	if errors.Is(err, sql.ErrNoRows) {
		return seedling.Account{}, seedling.ErrNoSuchUser()
	}
	if err != nil {
		return seedling.Account{}, translate(err)
	}
	var grants []struct {
		Role    string `json:"role"`
		OrgID   int64  `json:"org_id"`
		OrgName string `json:"org_name"`
		OrgPath string `json:"org_path"`
	}
	if err := json.Unmarshal(r.Grants, &grants); err != nil {
		return seedling.Account{}, err
	}
	acc := seedling.Account{User: r.user(), CandidateID: r.CandidateID}
	if r.CandidatePath != nil {
		acc.CandidatePath = *r.CandidatePath
	}
	if r.HomePath != nil {
		acc.HomePath = *r.HomePath
	}
	for _, g := range grants {
		acc.Grants = append(acc.Grants, seedling.Grant{Role: seedling.Role(g.Role), OrgID: g.OrgID, OrgName: g.OrgName, OrgPath: g.OrgPath})
	}
	return acc, nil
}

// lockAdmins serialises every change that could remove the last
// administrator of a root, so that two of them cannot each revoke the other.
func lockAdmins(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('seedling.root_admins'))`)
	return err
}

// rootAdmins counts the enabled accounts holding org_admin at the node, and
// says whether the node is a root of the tree.
func rootAdmins(ctx context.Context, tx *sqlx.Tx, orgID int64) (isRoot bool, n int, err error) {
	var r struct {
		IsRoot bool `db:"is_root"`
		N      int  `db:"n"`
	}
	err = tx.GetContext(ctx, &r, `
		SELECT o.parent_id IS NULL AS is_root,
		       (SELECT count(*) FROM grants g JOIN users u ON u.id = g.user_id
		        WHERE g.org_id = o.id AND g.role = 'org_admin' AND NOT u.disabled) AS n
		FROM orgs o WHERE o.id = $1`, orgID)
	return r.IsRoot, r.N, err
}

// lastRootAdmin reports whether the account holds an org_admin grant at a
// root that no other enabled account holds.
func lastRootAdmin(ctx context.Context, tx *sqlx.Tx, userID int64) (bool, error) {
	var last bool
	err := tx.GetContext(ctx, &last, `
		SELECT EXISTS (
			SELECT FROM grants g JOIN orgs o ON o.id = g.org_id
			WHERE g.user_id = $1 AND g.role = 'org_admin' AND o.parent_id IS NULL
			  AND NOT EXISTS (SELECT FROM grants h JOIN users u ON u.id = h.user_id
			                  WHERE h.org_id = g.org_id AND h.role = 'org_admin' AND h.user_id <> $1 AND NOT u.disabled))`, userID)
	return last, err
}

// Accounts returns the accounts the administrator administers, with their
// grants: one reaching outside the administrator's subtrees is not listed.
func (s *UserStore) Accounts(ctx context.Context, adm seedling.Administrator) ([]seedling.Account, error) {
	var rows []struct {
		userRow
		CandidatePath *string `db:"candidate_path"`
		HomePath      *string `db:"home_path"`
		Role          *string `db:"role"`
		OrgID         *int64  `db:"org_id"`
		OrgName       *string `db:"org_name"`
		OrgPath       *string `db:"org_path"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT u.id, u.username, u.display_name, '' AS password_hash, u.disabled, u.candidate_id,
		       co.path AS candidate_path, ho.path AS home_path, g.role, g.org_id, o.name AS org_name, o.path AS org_path
		FROM users u
		LEFT JOIN candidates c ON c.id = u.candidate_id
		LEFT JOIN orgs co ON co.id = c.org_id
		LEFT JOIN orgs ho ON ho.id = u.home_org_id
		LEFT JOIN grants g ON g.user_id = u.id
		LEFT JOIN orgs o ON o.id = g.org_id
		ORDER BY u.username, o.path, g.role`)
	if err != nil {
		return nil, translate(err)
	}
	var all []seedling.Account
	for _, r := range rows {
		if len(all) == 0 || all[len(all)-1].User.ID != r.ID {
			acc := seedling.Account{User: r.user(), CandidateID: r.CandidateID}
			if r.CandidatePath != nil {
				acc.CandidatePath = *r.CandidatePath
			}
			if r.HomePath != nil {
				acc.HomePath = *r.HomePath
			}
			all = append(all, acc)
		}
		if r.Role != nil {
			acc := &all[len(all)-1]
			acc.Grants = append(acc.Grants, seedling.Grant{Role: seedling.Role(*r.Role), OrgID: *r.OrgID, OrgName: *r.OrgName, OrgPath: *r.OrgPath})
		}
	}
	out := all[:0]
	for _, acc := range all {
		if adm.Administers(acc) {
			out = append(out, acc)
		}
	}
	return out, nil
}

// Grant gives a user a role at a node.
func (s *UserStore) Grant(ctx context.Context, adm seedling.Administrator, username string, role seedling.Role, orgID int64) error {
	if err := role.Check(); err != nil {
		return err
	}
	var uid int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		acc, err := loadAccount(ctx, tx, username)
		if err != nil {
			return err
		}
		uid = acc.User.ID
		var path string
		err = tx.GetContext(ctx, &path, `SELECT path FROM orgs WHERE id = $1`, orgID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := adm.CheckGrant(acc, role, path); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO grants (user_id, role, org_id) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, role, org_id) DO NOTHING`, acc.User.ID, string(role), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already granted: nothing changed, nothing to audit
		}
		return audit(ctx, tx, withOrg(adm.Actor, orgID), "grant.add", "user:"+acc.User.Username, "role="+string(role))
	})
	return s.db.sessionsChanged(err, uid)
}

// Revoke removes one grant.
func (s *UserStore) Revoke(ctx context.Context, adm seedling.Administrator, username string, role seedling.Role, orgID int64) error {
	var uid int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockAdmins(ctx, tx); err != nil {
			return err
		}
		acc, err := loadAccount(ctx, tx, username)
		if err != nil {
			return err
		}
		uid = acc.User.ID
		var path string
		isRoot, admins, err := rootAdmins(ctx, tx, orgID)
		if err == nil {
			err = tx.GetContext(ctx, &path, `SELECT path FROM orgs WHERE id = $1`, orgID)
		}
		if err != nil {
			return errNoSuchGrant(err)
		}
		if err := adm.CheckRevoke(acc, role, path, isRoot, admins); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE user_id = $1 AND role = $2 AND org_id = $3`, acc.User.ID, string(role), orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoSuchGrant(sql.ErrNoRows)
		}
		return audit(ctx, tx, withOrg(adm.Actor, orgID), "grant.revoke", "user:"+acc.User.Username, "role="+string(role))
	})
	return s.db.sessionsChanged(err, uid)
}

// errNoSuchGrant answers a revocation of a grant that is not there; a
// failure of the database stays what it is.
func errNoSuchGrant(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return seedling.Errorf(seedling.ENotFound, "no such grant").Keyed("problem.grant_unknown")
	}
	return translate(err)
}

// SetPassword changes a password and ends every session of the account.
func (s *UserStore) SetPassword(ctx context.Context, adm seedling.Administrator, username, password string) error {
	hash, err := seedling.HashPassword(password)
	if err != nil {
		return err
	}
	var uid int64
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		acc, err := loadAccount(ctx, tx, username)
		if err != nil {
			return err
		}
		uid = acc.User.ID
		if err := adm.CheckAdminister(acc); err != nil {
			return err
		}
		return setPassword(ctx, tx, adm.Actor, acc.User, hash)
	})
	return s.db.sessionsChanged(err, uid)
}

func setPassword(ctx context.Context, tx *sqlx.Tx, a seedling.Actor, u seedling.User, hash string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1`, u.ID, hash); err != nil {
		return err
	}
	if err := endSessions(ctx, tx, u.ID); err != nil {
		return err
	}
	return audit(ctx, tx, a, "user.password", "user:"+u.Username, "sessions ended")
}

// SetDisabled disables (or re-enables) an account; disabling ends its sessions.
func (s *UserStore) SetDisabled(ctx context.Context, adm seedling.Administrator, username string, disabled bool) error {
	var uid int64
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockAdmins(ctx, tx); err != nil {
			return err
		}
		acc, err := loadAccount(ctx, tx, username)
		if err != nil {
			return err
		}
		uid = acc.User.ID
		if disabled {
			last, err := lastRootAdmin(ctx, tx, acc.User.ID)
			if err != nil {
				return err
			}
			if err := adm.CheckDisable(acc, last && !acc.User.Disabled); err != nil {
				return err
			}
		} else if err := adm.CheckAdminister(acc); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $2 WHERE id = $1`, acc.User.ID, disabled); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if err := endSessions(ctx, tx, acc.User.ID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, adm.Actor, action, "user:"+acc.User.Username, "")
	})
	return s.db.sessionsChanged(err, uid)
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

// ChangeOwnPassword replaces a password after checking the current one.
func (s *UserStore) ChangeOwnPassword(ctx context.Context, a seedling.Actor, userID int64, current, next string) error {
	var r userRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID); err != nil {
		return translate(err)
	}
	if !seedling.CheckPassword(current, r.PasswordHash) {
		return seedling.FieldProblem(seedling.EInvalid, "current_password", "problem.current_password_wrong", "the current password is wrong")
	}
	hash, err := seedling.HashPassword(next)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sqlx.Tx) error { return setPassword(ctx, tx, a, r.user(), hash) })
	return s.db.sessionsChanged(err, userID)
}

// VisitHome records a look at the start page at now and returns the visit
// marks after it (seedling.Visit.Next decides them), in one transaction so
// that two tabs opening at once read and move the marks one after the other.
func (s *UserStore) VisitHome(ctx context.Context, userID int64, now time.Time) (seedling.Visit, error) {
	var out seedling.Visit
	err := s.db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = visitHome(ctx, tx, userID, now)
		return err
	})
	return out, err
}

func visitHome(ctx context.Context, tx *sqlx.Tx, userID int64, now time.Time) (seedling.Visit, error) {
	var v seedling.Visit
	if err := tx.QueryRowxContext(ctx, `SELECT home_since, home_seen_at FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&v.Since, &v.Seen); err != nil {
		return v, translate(err)
	}
	v = v.Next(now)
	if _, err := tx.ExecContext(ctx, `UPDATE users SET home_since = $2, home_seen_at = $3 WHERE id = $1`, userID, v.Since, v.Seen); err != nil {
		return v, translate(err)
	}
	return v, nil
}
