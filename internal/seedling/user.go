package seedling

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Role is what a grant lets its holder do; the permissions of each role are
// listed in policies/policy.csv.
type Role string

const (
	RoleOrgAdmin    Role = "org_admin"    // 组织部
	RoleCommittee   Role = "committee"    // 基层党（工）委
	RoleSecretary   Role = "secretary"    // 支部书记 / 专人负责
	RoleGroupLeader Role = "group_leader" // 党小组长
	RoleCandidate   Role = "candidate"    // 入党积极分子 / 预备党员, viewing themselves
	RoleMember      Role = "member"       // 普通党员: reads the branch's displays and objects
)

// Roles lists every role, the widest first.
var Roles = []Role{RoleOrgAdmin, RoleCommittee, RoleSecretary, RoleGroupLeader, RoleMember, RoleCandidate}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Disabled    bool   `json:"-"`
}

// Grant gives a user a role at a node; it reaches the whole subtree below.
type Grant struct {
	ID      int64  `json:"-"`
	Role    Role   `json:"role"`
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	OrgPath string `json:"-"`
}

// Principal is the caller of one request: who, with which grants. Grants are
// loaded with the session, so a scope check never needs the database.
type Principal struct {
	User        User
	Grants      []Grant
	CandidateID *int64 // set when the user is a candidate viewing themselves
}

// Has reports whether the principal holds role anywhere.
func (p *Principal) Has(r Role) bool {
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Username rules: short, plain and unambiguous in an audit row.
const (
	MaxUsernameLen = 64
	MinPasswordLen = 10
	MaxPasswordLen = 1024 // argon2id does not truncate; the bound stops abuse only
)

// ValidateUsername checks a new account name.
func ValidateUsername(name string) error {
	switch {
	case name == "":
		return FieldError("username", "username is required")
	case utf8.RuneCountInString(name) > MaxUsernameLen:
		return FieldError("username", "username is longer than 64 characters")
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '.' || r == '_' || r == '-') {
			return FieldError("username", "username may hold only latin letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// ValidatePassword enforces length and refuses the passwords every attacker
// tries first.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return FieldError("password", "password must be at least 10 characters").
			Keyed("problem.password_short", "Min", MinPasswordLen).KeyedField("password", "problem.password_short", "Min", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return FieldError("password", "password is too long").
			Keyed("problem.password_long").KeyedField("password", "problem.password_long")
	case commonPasswords[strings.ToLower(pw)]:
		return FieldError("password", "password is too common").
			Keyed("problem.password_common").KeyedField("password", "problem.password_common")
	}
	return nil
}

// DisplayName is the name an account shows: a visible name of at most 100
// characters, the username when none is given. A name made only of
// invisible or control characters would let one account pass for another.
func DisplayName(name, username string) (string, error) {
	name, err := Name("display_name", name, 100)
	if err != nil || name != "" {
		return name, err
	}
	return username, nil
}
