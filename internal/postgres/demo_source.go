package postgres

import "embed"

// DemoSource is the Go code of the demo generator that still lives here
// (demo*.go). The test harness hashes it into the name of its template
// database, so a changed generator is never served from a stale template.
//
//go:embed demo_pipeline.go demo_source.go
var DemoSource embed.FS
