// Package policies embeds the casbin model and the role → permission policy.
// Both are plain text so that a non-programmer can read who may do what.
package policies

import _ "embed"

// Model is the casbin model: a role may perform an action on an object kind.
//
//go:embed model.conf
var Model string

// Policy lists the permissions of each role, one a line.
//
//go:embed policy.csv
var Policy string
