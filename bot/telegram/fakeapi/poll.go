package fakeapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

func errWebhookActive() *apiError {
	return &apiError{Code: http.StatusConflict,
		Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
}

func errPollTerminated() *apiError {
	return &apiError{Code: http.StatusConflict,
		Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
}

type pollParams struct {
	offset  int64
	limit   int
	timeout time.Duration
}

func readPollParams(f *form) (pollParams, *apiError) {
	offset, err := f.int("offset", 0)
	if err != nil {
		return pollParams{}, err
	}
	limit, err := f.int("limit", 100)
	if err != nil {
		return pollParams{}, err
	}
	timeout, err := f.int("timeout", 0)
	if err != nil {
		return pollParams{}, err
	}
	limit = min(max(limit, 1), 100) // Telegram clamps to 1..100
	return pollParams{offset: int64(offset), limit: limit, timeout: time.Duration(max(timeout, 0)) * time.Second}, nil
}

// getUpdates is a real long poll: it holds the request until an update
// is queued or the timeout passes, because go-telegram/bot polls again
// at once after an empty answer and would spin on a short poll. Like
// Telegram, a newer getUpdates ends an older one with 409.
func (s *Server) getUpdates(r *http.Request, f *form) (any, *apiError) {
	p, err := readPollParams(f)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(p.timeout)
	gen := s.claimPoll()
	for {
		batch, wake, err := s.pollOnce(gen, p)
		if err != nil || batch != nil || !time.Now().Before(deadline) {
			return batchJSON(batch), err
		}
		if !s.sleepUntil(r.Context(), wake, deadline) {
			return batchJSON(nil), nil
		}
	}
}

// claimPoll makes this request the current poller, waking (and so
// terminating) any older one.
func (s *Server) claimPoll() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pollGen++
	s.notifyLocked()
	return s.pollGen
}

// pollOnce confirms what offset acknowledges and takes the next batch,
// or returns the channel to wait on when there is none.
func (s *Server) pollOnce(gen int64, p pollParams) ([]json.RawMessage, <-chan struct{}, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.url != "" {
		return nil, nil, errWebhookActive()
	}
	if s.pollGen != gen {
		return nil, nil, errPollTerminated()
	}
	s.ackLocked(p.offset)
	n := min(p.limit, len(s.queue))
	if n == 0 {
		return nil, s.changed, nil
	}
	batch := make([]json.RawMessage, n)
	for i := range n {
		batch[i] = s.queue[i].raw
		s.queue[i].delivered = true
	}
	return batch, nil, nil
}

// ackLocked forgets updates that offset confirms. For ordinary ids this
// is Telegram's rule (every update below offset); it is phrased in queue
// order so that an update re-injected with an old id is still delivered
// and confirmed once: offset confirms the delivered prefix of the queue
// up to the last update whose id is below it.
func (s *Server) ackLocked(offset int64) {
	if offset < 0 {
		// Negative offsets keep only the last -offset updates.
		drop := max(0, len(s.queue)+int(offset))
		s.queue = append([]pending(nil), s.queue[drop:]...)
		return
	}
	cut := 0
	for i, p := range s.queue {
		if !p.delivered {
			break
		}
		if p.id < offset {
			cut = i + 1
		}
	}
	if offset > 0 && cut > 0 {
		s.queue = append([]pending(nil), s.queue[cut:]...)
	}
}

// sleepUntil waits for a state change and reports whether polling should
// go on: false when the client went away or the server is closing.
func (s *Server) sleepUntil(ctx context.Context, wake <-chan struct{}, deadline time.Time) bool {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-wake:
		return true
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// batchJSON renders updates as a JSON array, [] when there are none.
func batchJSON(batch []json.RawMessage) json.RawMessage {
	out := []byte{'['}
	for i, raw := range batch {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, raw...)
	}
	return append(out, ']')
}
