// Package policies embeds the casbin model and the role → permission policy,
// and the versioned rule sets of the process. All are plain text so that a
// non-programmer can read who may do what and which numbers the rules use.
package policies

import "embed"

// Model is the casbin model: a role may perform an action on an object kind.
//
//go:embed model.conf
var Model string

// Policy lists the permissions of each role, one a line.
//
//go:embed policy.csv
var Policy string

// Rules holds one JSON file per version of the rules (rules/*.json): the
// numbers and switches of the process with their source and the date they
// take effect. internal/pipeline loads and validates them at start.
//
//go:embed rules/*.json
var Rules embed.FS
