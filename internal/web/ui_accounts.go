package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"seedling/internal/authz"
	"seedling/internal/postgres"
	"seedling/internal/seedling"
)

type accountsPage struct {
	Accounts []seedling.Account
	Orgs     []treeNode
	Roles    []seedling.Role
	Form     accountForm
	// Confirm, when set, asks the administrator to repeat a change that
	// could lock them out: the same form again, with confirm=true.
	Confirm *confirmForm
}

type confirmForm struct {
	Action string
	Fields [][2]string
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
	return s.renderAccountsConfirm(c, status, form, formErr, nil)
}

// confirmOrRerender re-renders the page for a refused change; when the
// refusal only wants a confirmation, the page offers the same change again
// with the confirmation attached.
func (s *Server) confirmOrRerender(c *fiber.Ctx, err error, action string, fields [][2]string) error {
	return s.formFailed(c, err, func(de *seedling.Error) error {
		var cf *confirmForm
		if _, ok := de.Fields["confirm"]; ok {
			cf = &confirmForm{Action: action, Fields: append(fields, [2]string{"confirm", "true"})}
		}
		return s.renderAccountsConfirm(c, statusOf[de.Code], accountForm{}, de, cf)
	})
}

func (s *Server) renderAccountsConfirm(c *fiber.Ctx, status int, form accountForm, formErr *seedling.Error, cf *confirmForm) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Read)
	if err != nil {
		return err
	}
	list, err := s.db.Users().Accounts(c.UserContext(), s.administrator(c, a, authz.Read))
	if err != nil {
		return err
	}
	orgs, err := s.db.Orgs().Under(c.UserContext(), s.roots(c, authz.Account, authz.Write))
	if err != nil {
		return err
	}
	data := accountsPage{Accounts: list, Orgs: indentTree(orgs), Roles: seedling.Roles, Form: form, Confirm: cf}
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
	return s.redirectWith(c, "/admin/users", "flash.account_created", "Username", form.Username)
}

// accountGrant gives or revokes a role from the form.
func (s *Server) accountGrant(c *fiber.Ctx) error {
	if _, err := s.authorizeRole(c, authz.Account, authz.Write); err != nil {
		return err
	}
	orgID, err := formID(c, "org_id")
	if err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error { return s.renderAccounts(c, statusOf[de.Code], accountForm{}, de) })
	}
	role := seedling.Role(c.FormValue("role"))
	if err := role.Check(); err != nil {
		return s.formFailed(c, err, func(de *seedling.Error) error { return s.renderAccounts(c, statusOf[de.Code], accountForm{}, de) })
	}
	username, revoke := c.FormValue("username"), c.FormValue("revoke") != ""
	if err := s.changeGrantAt(c, username, role, orgID, revoke); err != nil {
		return s.confirmOrRerender(c, err, "/admin/users/grants", [][2]string{{"username", username}, {"role", string(role)},
			{"org_id", strconv.FormatInt(orgID, 10)}, {"revoke", c.FormValue("revoke")}})
	}
	return s.redirectWith(c, "/admin/users", "flash.grant_changed", "Username", username)
}

// changeGrantAt gives or revokes role at the node: the node must lie in
// the administrator's subtree, the account must be one they administer.
func (s *Server) changeGrantAt(c *fiber.Ctx, username string, role seedling.Role, orgID int64, revoke bool) error {
	org, err := s.orgInScope(c, orgID, "org_id")
	if err != nil {
		return err
	}
	a, err := s.authorize(c, authz.Target{Path: org.Path}, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	adm := s.administrator(c, a, authz.Write)
	if revoke {
		return s.db.Users().Revoke(c.UserContext(), adm, username, role, org.ID)
	}
	return s.db.Users().Grant(c.UserContext(), adm, username, role, org.ID)
}

// accountDisable switches an account off or on from the list.
func (s *Server) accountDisable(c *fiber.Ctx) error {
	a, err := s.authorizeRole(c, authz.Account, authz.Write)
	if err != nil {
		return err
	}
	username, disabled := c.FormValue("username"), c.FormValue("disabled")
	if err := s.db.Users().SetDisabled(c.UserContext(), s.administrator(c, a, authz.Write), username, disabled == "true"); err != nil {
		return s.confirmOrRerender(c, err, "/admin/users/disable", [][2]string{{"username", username}, {"disabled", disabled}})
	}
	if disabled == "true" {
		return s.redirectWith(c, "/admin/users", "flash.account_disabled", "Username", username)
	}
	return s.redirectWith(c, "/admin/users", "flash.account_enabled", "Username", username)
}

// formFailed re-renders a form for the errors a person can fix (bad input,
// a rule, a conflict) and lets every other error take the normal path.
func (s *Server) formFailed(c *fiber.Ctx, err error, rerender func(*seedling.Error) error) error {
	switch seedling.ErrorCode(err) {
	case seedling.EInvalid, seedling.ERule, seedling.EConflict:
		return rerender(s.shown(c, err))
	}
	return err
}
