//go:build unix

package whatsapp

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockStore takes an exclusive lock on path, without waiting, for the life of the process's use of
// the store. The kernel drops it when the process dies, so a crash leaves nothing stale behind.
func lockStore(path string) (unlock func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("whatsapp: locking %s: %w", path, err)
	}
	// Closing the file releases the lock; the file itself stays, as removing it would let two
	// processes lock two different files of the same name.
	return f.Close, nil
}
