package cardbot

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error for the outside world. The REST API maps each code to one HTTP status
// (see admin), the bot maps each to a friendly sentence.
type ErrorCode string

// The codes every package uses. Anything that is not an *Error is an internal failure.
const (
	Invalid   ErrorCode = "invalid"   // the request is malformed or breaks a rule; nothing changed
	NotFound  ErrorCode = "not_found" // the thing asked for does not exist
	Conflict  ErrorCode = "conflict"  // the request clashes with the current state (balance, status, duplicate)
	Forbidden ErrorCode = "forbidden" // the caller may not do this
	// Unauthorized: the caller did not say who they are (no or unknown credentials).
	Unauthorized ErrorCode = "unauthorized"
	Unavailable  ErrorCode = "unavailable" // a dependency is down or the service is shutting down
	Internal     ErrorCode = "internal"    // a bug or an I/O failure; the message is not shown to callers
)

// Error is the one error type with a code and a message that is safe to show to a caller.
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, Internal for any other error and "" for nil.
func CodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the safe message of err: the *Error's own message, or a generic sentence that
// hides internal details.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
