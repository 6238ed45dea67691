package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type accountJSON struct {
	seedling.User
	Disabled    bool       `json:"disabled"`
	CandidateID *int64     `json:"candidate_id"`
	Roles       []roleJSON `json:"roles"`
}

// apiUsers lists the accounts the caller administers, with their grants.
func (s *Server) apiUsers(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Read)
	if err != nil {
		return err
	}
	list, err := s.db.Users().Accounts(c.UserContext(), s.administrator(c, a, authz.Read))
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(list))
	for i, acc := range list {
		out[i] = accountJSON{User: acc.User, Disabled: acc.User.Disabled, CandidateID: acc.CandidateID, Roles: rolesJSON(acc.Grants)}
	}
	return c.JSON(fiber.Map{"users": out})
}

// administrator is the caller as an administrator of accounts: the actor
// of the audit row and the subtrees where the role allows act on accounts.
// A change that could lock the caller out goes through only with
// confirm=true (a query parameter of the API, a field of the page's form).
func (s *Server) administrator(c *fiber.Ctx, a seedling.Actor, act string) seedling.Administrator {
	confirmed := c.Query("confirm") == "true"
	if isForm(c) {
		confirmed = confirmed || c.FormValue("confirm") == "true"
	}
	return seedling.Administrator{Actor: a, Roots: s.roots(c, authz.Account, act), Confirmed: confirmed}
}

type createUserRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	CandidateID *int64 `json:"candidate_id"`
}

// apiCreateUser opens an account; grants are given separately.
func (s *Server) apiCreateUser(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	var req createUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.CandidateID != nil {
		noSuch := seedling.FieldProblem(seedling.EInvalid, "candidate_id", "problem.candidate_id_unknown", "no such candidate")
		cand, err := s.db.Candidates().ByID(c.UserContext(), *req.CandidateID)
		if err != nil {
			return noSuch
		}
		if _, err := s.authorize(c, authz.Target{Path: cand.OrgPath}, authz.Account, authz.Write); err != nil {
			return noSuch
		}
	}
	u, err := s.db.Users().Create(c.UserContext(), a, postgres.NewUser{Username: req.Username, DisplayName: req.DisplayName, Password: req.Password, CandidateID: req.CandidateID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

type grantRequest struct {
	Role  seedling.Role `json:"role"`
	OrgID int64         `json:"org_id"`
}

// apiGrant gives a role at a node inside the administrator's own subtree.
func (s *Server) apiGrant(c *fiber.Ctx) error {
	return s.changeGrant(c, true)
}

// apiRevoke takes a grant back.
func (s *Server) apiRevoke(c *fiber.Ctx) error {
	return s.changeGrant(c, false)
}

func (s *Server) changeGrant(c *fiber.Ctx, give bool) error {
	if _, err := s.authorizeRole(c, authz.Account, authz.Write); err != nil {
		return err
	}
	var req grantRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := seedling.NewProblems(seedling.EInvalid)
	if err := req.Role.Check(); err != nil {
		p.AddErr("role", err)
	}
	if req.OrgID <= 0 {
		p.AddKey("org_id", "problem.required", "org_id is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := s.changeGrantAt(c, c.Params("username"), req.Role, req.OrgID, !give); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type passwordRequest struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password"`
}

// apiSetPassword resets another account's password (the administrator) and
// ends its sessions.
func (s *Server) apiSetPassword(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.db.Users().SetPassword(c.UserContext(), s.administrator(c, a, authz.Write), c.Params("username"), req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiDisable and apiEnable switch an account off and on; off ends its
// sessions. Switching oneself off needs ?confirm=true.
func (s *Server) apiDisable(c *fiber.Ctx) error { return s.setDisabled(c, true) }
func (s *Server) apiEnable(c *fiber.Ctx) error  { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c *fiber.Ctx, disabled bool) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	if err := s.db.Users().SetDisabled(c.UserContext(), s.administrator(c, a, authz.Write), c.Params("username"), disabled); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiChangeOwnPassword lets anyone change their own password, proving the
// current one; every session of the account ends, this one included.
func (s *Server) apiChangeOwnPassword(c *fiber.Ctx) error {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	me := currentSession(c).Principal.User
	if err := s.db.Users().ChangeOwnPassword(c.UserContext(), s.actor(c, nil), me.ID, req.CurrentPassword, req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
