package flows

import (
	"context"
	"sync"
)

// keyedLocks serialises work per key (a conversation address) while different keys run in parallel.
// A key's lock exists only while someone holds or waits for it, so the map does not grow with every
// customer who ever wrote.
type keyedLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

// keyLock is a one-slot channel rather than a sync.Mutex so that a waiter can give up when its
// context ends; refs counts holders and waiters.
type keyLock struct {
	slot chan struct{}
	refs int
}

// lock waits for the key's lock and returns its unlock function, or the context's error.
func (k *keyedLocks) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	l := k.m[key]
	if l == nil {
		l = &keyLock{slot: make(chan struct{}, 1)}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()

	select {
	case l.slot <- struct{}{}:
		return func() {
			<-l.slot
			k.release(key, l)
		}, nil
	case <-ctx.Done():
		k.release(key, l)
		return nil, ctx.Err()
	}
}

func (k *keyedLocks) release(key string, l *keyLock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(k.m, key)
	}
}

// size is the number of keys held or waited for (for tests of the cleanup).
func (k *keyedLocks) size() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
