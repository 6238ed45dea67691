package postgres

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"

	"seedling/internal/ledger"
)

// rubricChannel is the NOTIFY channel a new rubric version is announced on.
const rubricChannel = "seedling_rubric"

// rubricCache holds the rubric versions in memory. Versions are immutable
// and only ever added, so the cache is right until a version is added; every
// instance hears of that through NOTIFY. The cache is used only while this
// instance's listener is connected: an instance that cannot hear (a CLI
// command, a listener between reconnects) reads the table every time.
type rubricCache struct {
	mu        sync.Mutex
	listening bool
	gen       uint64 // bumped on every invalidation, so a load that raced one is not kept
	versions  ledger.Rubrics
}

func (c *rubricCache) invalidate(listening bool) {
	c.mu.Lock()
	c.gen++
	c.versions, c.listening = nil, listening
	c.mu.Unlock()
}

func (c *rubricCache) listeningNow() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listening
}

// rubrics returns the versions, from memory when the cache may be trusted,
// else read through q (inside the caller's transaction when q is one).
func (db *DB) rubrics(ctx context.Context, q sqlx.QueryerContext) (ledger.Rubrics, error) {
	c := db.rubricCache
	c.mu.Lock()
	v, listening, gen := c.versions, c.listening, c.gen
	c.mu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := loadRubrics(ctx, q)
	if err != nil || !listening {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.versions = v
	}
	c.mu.Unlock()
	return v, nil
}
