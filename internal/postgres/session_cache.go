package postgres

import (
	"container/list"
	"crypto/sha256"
	"slices"
	"strconv"
	"sync"
	"time"

	"seedling/internal/seedling"
)

// sessionChannel is the NOTIFY channel on which migration 00024's triggers
// name a user whose sessions ended or whose account, grants or nodes
// changed; '*' means every user.
const sessionChannel = "seedling_session"

// sessionCacheSize bounds the sessions one instance keeps in memory, about
// 560 bytes each with one grant (11 MB full); past it the least recently
// used one goes, and its next request reads the database as every request
// did before the cache.
const sessionCacheSize = 20000

// refreshEvery is how stale seen_at may grow before a request writes it:
// the sliding idle timeout moves once a minute, not on every page.
const refreshEvery = time.Minute

// sessionCache keeps what the session lookup statement returns, by token
// hash, so that a request whose session is known costs no round trip. Like
// the rubric cache it is used only while this instance's listener is
// connected and is emptied whenever the listener was not: the triggers'
// notifications are what keeps it right. Only sessions the database found
// are kept, so random tokens cannot grow it.
type sessionCache struct {
	mu        sync.Mutex
	listening bool
	gen       uint64 // bumped on every invalidation, so a load that raced one is not kept
	max       int
	lru       *list.List // of *cachedSession, most recently used first
	byToken   map[[sha256.Size]byte]*list.Element
	byUser    map[int64][]*list.Element
}

// cachedSession is one session as the lookup statement saw it. seen and
// created are the database's seen_at and created_at carried over to this
// process's monotonic clock through the database's now() at the read, and
// the carrying is done from an instant taken before the statement was sent:
// both are a round trip early at most, never late, so the cache never
// keeps a session the statement would refuse, and at the edge it asks the
// statement.
type cachedSession struct {
	key       [sha256.Size]byte
	csrf      string
	principal seedling.Principal
	seen      time.Time
	created   time.Time
}

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, lru: list.New(), byToken: map[[sha256.Size]byte]*list.Element{}, byUser: map[int64][]*list.Element{}}
}

// fresh returns the session of key when it is held and may be served
// without the database at now: alive under the same idle and absolute
// limits the statement applies, and seen within the last minute, so that
// the refresh of seen_at (and with it a fresh look at the row) is not
// skipped. An apparent expiry is not a refusal: the caller re-reads, since
// another instance may have kept the session alive meanwhile.
func (c *sessionCache) fresh(key [sha256.Size]byte, now time.Time, idle, absolute time.Duration) (*cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byToken[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cachedSession)
	if !e.seen.After(now.Add(-idle)) || !e.created.After(now.Add(-absolute)) || e.seen.Before(now.Add(-refreshEvery)) {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return e, true
}

// generation is read before a load; put keeps the load only if no
// invalidation came in between.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *sessionCache) put(gen uint64, e *cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.listening || gen != c.gen {
		return
	}
	c.removeLocked(e.key)
	c.byToken[e.key] = c.lru.PushFront(e)
	uid := e.principal.User.ID
	c.byUser[uid] = append(c.byUser[uid], c.byToken[e.key])
	for c.lru.Len() > c.max {
		c.removeLocked(c.lru.Back().Value.(*cachedSession).key)
	}
}

// remove forgets one session, e.g. one the database no longer finds.
func (c *sessionCache) remove(key [sha256.Size]byte) {
	c.mu.Lock()
	c.removeLocked(key)
	c.mu.Unlock()
}

func (c *sessionCache) removeLocked(key [sha256.Size]byte) {
	el, ok := c.byToken[key]
	if !ok {
		return
	}
	uid := el.Value.(*cachedSession).principal.User.ID
	c.lru.Remove(el)
	delete(c.byToken, key)
	rest := slices.DeleteFunc(c.byUser[uid], func(x *list.Element) bool { return x == el })
	if len(rest) == 0 {
		delete(c.byUser, uid)
	} else {
		c.byUser[uid] = rest
	}
}

// dropUser forgets every session of a user: one of them ended, or the
// account or its grants changed.
func (c *sessionCache) dropUser(uid int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, el := range slices.Clone(c.byUser[uid]) {
		c.removeLocked(el.Value.(*cachedSession).key)
	}
}

// invalidate forgets everything; listening says whether the cache may fill
// again (the listener is connected) or must stay off.
func (c *sessionCache) invalidate(listening bool) {
	c.mu.Lock()
	c.listening = listening
	c.clearLocked()
	c.mu.Unlock()
}

func (c *sessionCache) clearLocked() {
	c.gen++
	c.lru.Init()
	clear(c.byToken)
	clear(c.byUser)
}

// notified acts on one notification of migration 00024's triggers: a
// user's id, or anything else (the '*' of a bulk change) for everyone.
func (c *sessionCache) notified(payload string) {
	if uid, err := strconv.ParseInt(payload, 10, 64); err == nil {
		c.dropUser(uid)
		return
	}
	c.flush()
}

// flush forgets every session and leaves the cache on or off as it was.
func (c *sessionCache) flush() {
	c.mu.Lock()
	c.clearLocked()
	c.mu.Unlock()
}

// session is a copy for one request: handlers may keep or change what
// they are handed without touching what the next request reads.
func (e *cachedSession) session(token string) *Session {
	p := e.principal
	p.Grants = slices.Clone(p.Grants)
	if p.CandidateID != nil {
		id := *p.CandidateID
		p.CandidateID = &id
	}
	return &Session{Token: token, CSRF: e.csrf, Principal: &p}
}

// sessionsChanged is called once a transaction that ended a user's
// sessions or changed the account or its grants has committed: this
// instance forgets them at once instead of waiting for its own
// notification. It passes err through.
func (db *DB) sessionsChanged(err error, uid int64) error {
	if err == nil {
		db.sessionCache.dropUser(uid)
	}
	return err
}
