//go:build !unix

package whatsapp

// lockStore does nothing where flock is missing: there, running two processes on one device store
// is not caught, and they disconnect each other (Status says so).
func lockStore(string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}
