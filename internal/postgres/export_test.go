package postgres

// CachedSessions is how many sessions db's cache holds.
func (db *DB) CachedSessions() int {
	c := db.sessionCache
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// LimitSessionCache lets db's cache hold at most n sessions.
func (db *DB) LimitSessionCache(n int) {
	c := db.sessionCache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = n
}
