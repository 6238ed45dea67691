package web

import (
	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type accountsPage struct {
	Accounts []seedling.Principal
	Orgs     []treeNode
	Roles    []seedling.Role
	Form     accountForm
}

type accountForm struct {
	Username, DisplayName string
}

// accountsPage is the organisation department's list of accounts, with the
// forms to open one and to grant or revoke roles.
func (s *Server) accountsPage(c *fiber.Ctx) error {
	return s.renderAccounts(c, fiber.StatusOK, accountForm{}, nil)
}

func (s *Server) renderAccounts(c *fiber.Ctx, status int, form accountForm, formErr *seedling.Error) error {
	if _, err := s.authorizeRole(c, authz.Account, authz.Read); err != nil {
		return err
	}
	list, err := s.db.Users().Accounts(c.UserContext())
	if err != nil {
		return err
	}
	orgs, err := s.db.Orgs().Under(c.UserContext(), s.roots(c, authz.Account, authz.Write))
	if err != nil {
		return err
	}
	data := accountsPage{Accounts: list, Orgs: indentTree(orgs), Roles: seedling.Roles, Form: form}
	return s.renderForm(c, status, "accounts", "accounts.title", data, formErr)
}

// accountCreate opens an account from the form.
func (s *Server) accountCreate(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	form := accountForm{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name")}
	_, err = s.db.Users().Create(c.UserContext(), a, postgres.NewUser{Username: form.Username, DisplayName: form.DisplayName, Password: c.FormValue("password")})
	if err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error { return s.renderAccounts(c, statusOf[de.Code], form, de) })
	}
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

// accountGrant gives or revokes a role from the form.
func (s *Server) accountGrant(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Account, authz.Write); err != nil {
		return err
	}
	orgID, err := formID(c, "org_id")
	if err == nil {
		err = s.grantFromForm(c, c.FormValue("username"), seedling.Role(c.FormValue("role")), orgID, c.FormValue("revoke") != "")
	}
	if err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error { return s.renderAccounts(c, statusOf[de.Code], accountForm{}, de) })
	}
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

func (s *Server) grantFromForm(c *fiber.Ctx, username string, role seedling.Role, orgID int64, revoke bool) error {
	if !role.Valid() {
		return seedling.FieldError("role", "unknown role")
	}
	org, err := s.orgInScope(c, orgID, "org_id")
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	if revoke {
		return s.db.Users().Revoke(c.UserContext(), a, username, role, org.ID)
	}
	return s.db.Users().Grant(c.UserContext(), a, username, role, org.ID)
}

// accountDisable switches an account off or on from the list.
func (s *Server) accountDisable(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	if err := s.db.Users().SetDisabled(c.UserContext(), a, c.FormValue("username"), c.FormValue("disabled") == "true"); err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error { return s.renderAccounts(c, statusOf[de.Code], accountForm{}, de) })
	}
	return c.Redirect("/admin/users", fiber.StatusSeeOther)
}

// formFailed re-renders a form for the errors a person can fix (bad input,
// a rule, a conflict) and lets every other error take the normal path.
func (s *Server) formFailed(c *fiber.Ctx, err error, rerender func(*seedling.Error) error) error {
	switch seedling.ErrorCode(err) {
	case seedling.EInvalid, seedling.ERule, seedling.EConflict:
		return rerender(asDomain(err))
	}
	return err
}
