package whatsapp

import (
	"context"
	"fmt"
	"log/slog"

	waLog "go.mau.fi/whatsmeow/util/log"
)

// slogger passes whatsmeow's log lines to slog, so they go where the service's logs go.
type slogger struct {
	log *slog.Logger
}

func newLogger(log *slog.Logger) waLog.Logger { return slogger{log: log} }

func (l slogger) Errorf(msg string, args ...any) { l.logf(slog.LevelError, msg, args) }
func (l slogger) Warnf(msg string, args ...any)  { l.logf(slog.LevelWarn, msg, args) }
func (l slogger) Infof(msg string, args ...any)  { l.logf(slog.LevelInfo, msg, args) }
func (l slogger) Debugf(msg string, args ...any) { l.logf(slog.LevelDebug, msg, args) }

// logf formats only lines that will be written: whatsmeow writes a debug line for every frame.
func (l slogger) logf(level slog.Level, msg string, args []any) {
	ctx := context.Background()
	if l.log.Enabled(ctx, level) {
		l.log.Log(ctx, level, fmt.Sprintf(msg, args...))
	}
}

func (l slogger) Sub(module string) waLog.Logger {
	return slogger{log: l.log.With("module", module)}
}
