package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/seedling"
)

// apiOrgs lists the nodes the caller may read.
func (s *Server) apiOrgs(c *fiber.Ctx) error {
	orgs, err := s.db.Orgs().Under(c.UserContext(), s.readableRoots(c))
	if err != nil {
		return err
	}
	if orgs == nil {
		orgs = []seedling.Org{}
	}
	return c.JSON(fiber.Map{"orgs": orgs})
}

type orgRequest struct {
	ParentID *int64           `json:"parent_id"`
	Kind     seedling.OrgKind `json:"kind"`
	Name     string           `json:"name"`
}

// apiCreateOrg adds a node under a parent the caller administers.
func (s *Server) apiCreateOrg(c *fiber.Ctx) error {
	var req orgRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ParentID == nil {
		return seedling.FieldProblem(seedling.EInvalid, "parent_id", "problem.parent_required", "parent_id is required")
	}
	parent, err := s.orgInScope(c, *req.ParentID, "parent_id")
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: parent.Path}, authz.Org, authz.Write)
	if err != nil {
		return err
	}
	org, err := s.db.Orgs().Create(c.UserContext(), a, req.ParentID, req.Kind, req.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(org)
}

type moveRequest struct {
	ParentID int64 `json:"parent_id"`
}

// apiMoveOrg re-hangs a subtree; the caller must administer both the node
// and its new parent.
func (s *Server) apiMoveOrg(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	node, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: node.Path}, authz.Org, authz.Write)
	if err != nil {
		return err
	}
	var req moveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	parent, err := s.orgInScope(c, req.ParentID, "parent_id")
	if err != nil {
		return err
	}
	if _, err := s.authorize(c, authz.Target{Path: parent.Path}, authz.Org, authz.Write); err != nil {
		return err
	}
	if err := s.db.Orgs().Move(c.UserContext(), a, id, req.ParentID); err != nil {
		return err
	}
	moved, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(moved)
}

// orgInScope loads a node named in a request body. A node named in a body is
// input, not the resource of the request, so a bad one is a 400 naming the
// field; one that does not exist and one outside the caller's reading scope
// look the same, so that ids cannot be probed.
func (s *Server) orgInScope(c *fiber.Ctx, id int64, field string) (seedling.Org, error) {
	missing := seedling.FieldProblem(seedling.EInvalid, field, "problem.org_unknown", "no such organisation")
	org, err := s.db.Orgs().ByID(c.UserContext(), id)
	if err != nil {
		if seedling.ErrorCode(err) == seedling.ENotFound {
			return seedling.Org{}, missing
		}
		return seedling.Org{}, err
	}
	if !anyContains(s.readableRoots(c), org.Path) {
		return seedling.Org{}, missing
	}
	return org, nil
}
