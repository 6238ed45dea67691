package seedling

import (
	"fmt"
	"strings"
)

// OrgKind is the level of a node in the party organisation tree.
type OrgKind string

const (
	KindCity          OrgKind = "city"           // 市委 (the organisation department works here)
	KindCommittee     OrgKind = "committee"      // 基层党（工）委: township, street or system committee
	KindGeneralBranch OrgKind = "general_branch" // 党总支
	KindBranch        OrgKind = "branch"         // 党支部
	KindGroup         OrgKind = "group"          // 党小组
)

// OrgKinds lists the kinds from the top of the tree down.
var OrgKinds = []OrgKind{KindCity, KindCommittee, KindGeneralBranch, KindBranch, KindGroup}

// childKinds says which kinds may sit directly under which: a branch may hang
// under a committee or a general branch, a group only under a branch.
var childKinds = map[OrgKind][]OrgKind{
	KindCity:          {KindCommittee},
	KindCommittee:     {KindCommittee, KindGeneralBranch, KindBranch},
	KindGeneralBranch: {KindBranch},
	KindBranch:        {KindGroup},
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// MayContain reports whether a node of kind child may be placed under k.
func (k OrgKind) MayContain(child OrgKind) bool {
	for _, x := range childKinds[k] {
		if x == child {
			return true
		}
	}
	return false
}

// placeKeys names, for each kind, the catalog message that says where a
// node of that kind may sit, the answer to a node placed anywhere else.
var placeKeys = map[OrgKind]string{
	KindCity:          "problem.org_place_city",
	KindCommittee:     "problem.org_place_committee",
	KindGeneralBranch: "problem.org_place_general_branch",
	KindBranch:        "problem.org_place_branch",
	KindGroup:         "problem.org_place_group",
}

// CanPlace decides whether a new node of kind may sit under a node of
// parentKind ("" for a root): each kind has its places in the tree (a
// group only under a branch), and only the city committee is a root, so
// that every scope hangs from the one organisation department.
func CanPlace(kind, parentKind OrgKind) error {
	if parentKind == "" && kind == KindCity || parentKind != "" && parentKind.MayContain(kind) {
		return nil
	}
	field := "kind"
	if parentKind == "" {
		field = "parent_id"
	}
	return FieldProblem(EInvalid, field, placeKey(kind), fmt.Sprintf("a %s cannot be placed under %q", kind, parentKind))
}

func placeKey(k OrgKind) string {
	if key, ok := placeKeys[k]; ok {
		return key
	}
	return "problem.org_kind_unknown"
}

// CanMove decides whether node may be re-hung under newParent: never under
// itself or one of its descendants, which would cut the subtree off the
// tree as a cycle, and only where its kind may sit.
func CanMove(node, newParent Org) error {
	if PathContains(node.Path, newParent.Path) {
		return FieldProblem(EInvalid, "parent_id", "problem.org_move_into_itself", "a node cannot be moved under itself or its own descendant")
	}
	if !newParent.Kind.MayContain(node.Kind) {
		return FieldProblem(EInvalid, "parent_id", placeKey(node.Kind), fmt.Sprintf("a %s cannot be placed under a %s", node.Kind, newParent.Kind))
	}
	return nil
}

// Org is one node of the organisation tree. Path is the materialised path of
// ids from the root, with a trailing slash ("/1/12/123/") so that a prefix test
// can never confuse node 12 with node 123.
type Org struct {
	ID       int64   `json:"id"`
	ParentID *int64  `json:"parent_id"`
	Kind     OrgKind `json:"kind"`
	Name     string  `json:"name"`
	Path     string  `json:"-"`
}

// Contains reports whether other lies in the subtree rooted at o (o included).
func (o Org) Contains(other Org) bool { return PathContains(o.Path, other.Path) }

// PathContains reports whether the node at path inner lies in the subtree at
// path outer. Both must carry the trailing slash.
func PathContains(outer, inner string) bool {
	return outer != "" && strings.HasPrefix(inner, outer)
}

// ParentPath is the path of the node directly above the one at path, or ""
// for a root.
func ParentPath(path string) string {
	trimmed := strings.TrimSuffix(path, "/")
	i := strings.LastIndex(trimmed, "/")
	if i <= 0 {
		return ""
	}
	return trimmed[:i+1]
}

// MaxNameLen bounds names so that a pasted document cannot become a node name.
const MaxNameLen = 100

// ValidateOrg checks a new or renamed node.
func ValidateOrg(kind OrgKind, name string) error {
	p := NewProblems(EInvalid)
	if !kind.Valid() {
		p.AddKey("kind", "problem.org_kind_unknown", "unknown organisation kind")
	}
	name, err := Name("name", name, MaxNameLen)
	switch {
	case err != nil:
		p.AddErr("name", err)
	case name == "":
		p.AddKey("name", "problem.required", "name is required")
	case strings.ContainsAny(name, `,"'*;\\`):
		// Names travel into CSV exports, spreadsheets and log lines; a comma,
		// quote or wildcard there could be read as more than one field.
		p.AddKey("name", "problem.org_name_chars", "name must not contain , \" ' * ; or \\")
	}
	return p.Err()
}
