package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// ListenForChanges keeps the in-memory caches of this pool (rubric
// versions, sessions) coherent with other instances on the same database
// until ctx ends: it LISTENs on a connection of its own (lib/pq's Listener,
// which reconnects by itself), drops what a notification names, and drops
// everything on every reconnect, since notifications sent while
// disconnected are lost. Between a disconnect and the reconnect the caches
// are off and every read goes to the database. It needs a session
// connection: behind PgBouncer in transaction mode point it at PostgreSQL
// directly (docs/scaling.md).
func (db *DB) ListenForChanges(ctx context.Context, log *slog.Logger) error {
	l := pq.NewListener(db.dsn, 100*time.Millisecond, 2*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected, pq.ListenerEventReconnected:
			db.forgetCached(true)
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			db.forgetCached(false)
			if log != nil && err != nil {
				log.Warn("change listener disconnected", "err", oneLine(err))
			}
		}
	})
	for _, ch := range []string{rubricChannel, sessionChannel} {
		if err := l.Listen(ch); err != nil {
			l.Close()
			return err
		}
	}
	// The Connected event may have fired before Listen returned; the
	// subscriptions are in place now, so the caches may be trusted from here.
	db.forgetCached(true)
	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				db.forgetCached(false)
				return
			case n := <-l.Notify:
				switch {
				case n == nil: // after a reconnect: anything may have been missed
					db.forgetCached(true)
				case n.Channel == sessionChannel:
					db.sessionCache.notified(n.Extra)
				default:
					db.rubricCache.invalidate(true)
				}
			case <-time.After(time.Minute):
				go l.Ping()
			}
		}
	}()
	return nil
}

// forgetCached empties every cache of this pool; listening says whether
// they may fill again.
func (db *DB) forgetCached(listening bool) {
	db.rubricCache.invalidate(listening)
	db.sessionCache.invalidate(listening)
}
