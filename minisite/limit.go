package minisite

import "time"

// The mini-site form accepts formTries submissions per IP address in formWindow.
const (
	formTries  = 10
	formWindow = 10 * time.Minute
)
