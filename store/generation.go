package store

// Generation counts the commits made so far. While it stays the same nothing in the database has
// changed, so a reader may keep what it derived from the store under the generation it loaded
// before reading (a commit racing the read only makes the cached value look older than it is).
func (db *DB) Generation() uint64 { return db.commits.Load() }
