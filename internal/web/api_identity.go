package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/seedling"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type roleJSON struct {
	Role    seedling.Role `json:"role"`
	OrgID   int64         `json:"org_id"`
	OrgName string        `json:"org_name"`
}

func rolesJSON(grants []seedling.Grant) []roleJSON {
	out := make([]roleJSON, 0, len(grants))
	for _, g := range grants {
		out = append(out, roleJSON{Role: g.Role, OrgID: g.OrgID, OrgName: g.OrgName})
	}
	return out
}

// apiLogin trades a username and password for a bearer token.
func (s *Server) apiLogin(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := seedling.NewProblems(seedling.EInvalid)
	if req.Username == "" {
		p.Add("username", "username is required")
	}
	if req.Password == "" {
		p.Add("password", "password is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	sess, err := s.sessions.Login(c.UserContext(), req.Username, req.Password, s.actor(c, nil))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"token": sess.Token, "user": sess.Principal.User, "roles": rolesJSON(sess.Principal.Grants)})
}

// apiLogout ends the caller's sessions.
func (s *Server) apiLogout(c *fiber.Ctx) error {
	sess := currentSession(c)
	if err := s.sessions.Logout(c.UserContext(), sess.ID, s.actor(c, nil)); err != nil {
		return err
	}
	if sess.ViaCookie {
		s.clearSessionCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiMe tells a client who it is.
func (s *Server) apiMe(c *fiber.Ctx) error {
	p := currentSession(c).Principal
	return c.JSON(fiber.Map{"user": p.User, "roles": rolesJSON(p.Grants), "candidate_id": p.CandidateID})
}
