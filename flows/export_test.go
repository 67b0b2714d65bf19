package flows

// LockedKeys is the number of conversations whose lock is held or awaited, so tests can check that
// the per-conversation locks are released and forgotten.
func LockedKeys(e *Engine) int { return e.locks.size() }

// SessionsPrunedPerRun is the most expired admin sessions one run of the cleanup job deletes.
const SessionsPrunedPerRun = sessionPruneBatches * pruneBatch
