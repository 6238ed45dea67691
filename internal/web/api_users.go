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

// apiUsers lists every account with its grants.
func (s *Server) apiUsers(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Account, authz.Read); err != nil {
		return err
	}
	list, err := s.db.Users().Accounts(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(list))
	for i := range list {
		out[i] = accountJSON{User: list[i].User, Disabled: list[i].User.Disabled, CandidateID: list[i].CandidateID, Roles: rolesJSON(&list[i])}
	}
	return c.JSON(fiber.Map{"users": out})
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
		cand, err := s.db.Candidates().ByID(c.UserContext(), *req.CandidateID)
		if err != nil {
			return seedling.FieldError("candidate_id", "no such candidate")
		}
		if _, err := s.authorize(c, authz.Target{Path: cand.OrgPath}, authz.Account, authz.Write); err != nil {
			return seedling.FieldError("candidate_id", "no such candidate")
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
	if !req.Role.Valid() {
		p.Add("role", "unknown role")
	}
	if req.OrgID <= 0 {
		p.Add("org_id", "org_id is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	org, err := s.orgInScope(c, req.OrgID, "org_id")
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	username := c.Params("username")
	if give {
		err = s.db.Users().Grant(c.UserContext(), a, username, req.Role, org.ID)
	} else {
		err = s.db.Users().Revoke(c.UserContext(), a, username, req.Role, org.ID)
	}
	if err != nil {
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
	if err := s.db.Users().SetPassword(c.UserContext(), a, c.Params("username"), req.Password); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiDisable and apiEnable switch an account off and on; off ends its sessions.
func (s *Server) apiDisable(c *fiber.Ctx) error { return s.setDisabled(c, true) }
func (s *Server) apiEnable(c *fiber.Ctx) error  { return s.setDisabled(c, false) }

func (s *Server) setDisabled(c *fiber.Ctx, disabled bool) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	if err := s.db.Users().SetDisabled(c.UserContext(), a, c.Params("username"), disabled); err != nil {
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
