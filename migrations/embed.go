// Package migrations embeds the SQL migrations that goose applies. Each file is
// one forward step with a Down section used by tests; each runs in its own
// transaction so a failed step leaves nothing half-applied.
package migrations

import "embed"

// FS holds every migration, named NNNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
