package demo

import "embed"

// Source is this package's Go code, which makes the demo accounts and
// displays. The test harness hashes it into the name of its template
// database, so a changed demo is never served from a stale template.
//
//go:embed demo.go display.go ledger.go pipeline.go source.go tree.go
var Source embed.FS
