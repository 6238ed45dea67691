package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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

// ListenForChanges keeps the in-memory caches of this pool coherent with
// other instances on the same database until ctx ends: it LISTENs on a
// connection of its own (lib/pq's Listener, which reconnects by itself) and
// drops the cache on every notification and on every reconnect, since
// notifications sent while disconnected are lost. It needs a session
// connection: behind PgBouncer in transaction mode point it at PostgreSQL
// directly (docs/scaling.md).
func (db *DB) ListenForChanges(ctx context.Context, log *slog.Logger) error {
	l := pq.NewListener(db.dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected, pq.ListenerEventReconnected:
			db.rubricCache.invalidate(true)
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			db.rubricCache.invalidate(false)
			if log != nil && err != nil {
				log.Warn("change listener disconnected", "err", oneLine(err))
			}
		}
	})
	if err := l.Listen(rubricChannel); err != nil {
		l.Close()
		return err
	}
	// The Connected event may have fired before Listen returned; the
	// subscription is in place now, so the cache may be trusted from here.
	db.rubricCache.invalidate(true)
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				db.rubricCache.invalidate(false)
				return
			case <-l.Notify: // a notification, or nil after a reconnect
				db.rubricCache.invalidate(true)
			case <-time.After(time.Minute):
				go l.Ping()
			}
		}
	}()
	return nil
}
