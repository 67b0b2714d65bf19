package fakeapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Delivery retry backoff: short, because the far side is a test server.
const (
	minBackoff = 20 * time.Millisecond
	maxBackoff = time.Second
)

type webhook struct {
	url, secret    string
	maxConnections int
	allowedUpdates []string
	lastErrorDate  int64
	lastErrorMsg   string
	running        bool // a delivery goroutine is alive
	client         *http.Client
}

// validSecret is Telegram's rule for secret_token: 1-256 of A-Z a-z 0-9 _ -.
func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !isCommandRune(r) && r != '-' {
			return false
		}
	}
	return s != ""
}

// setWebhook accepts plain http URLs, unlike Telegram, because test
// servers from httptest are http.
func (s *Server) setWebhook(_ *http.Request, f *form) (any, *apiError) {
	hookURL := f.str("url")
	if hookURL == "" {
		return s.deleteWebhook(nil, f)
	}
	if u, err := url.Parse(hookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("bad webhook: invalid webhook URL specified")
	}
	secret := f.str("secret_token")
	if secret != "" && !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, err := f.int("max_connections", 40)
	if err != nil {
		return nil, err
	}
	var allowed []string
	_ = json.Unmarshal([]byte(f.str("allowed_updates")), &allowed) // reported back only
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.hook.url, s.hook.secret, s.hook.maxConnections, s.hook.allowedUpdates = hookURL, secret, maxConn, allowed
	s.startDeliveryLocked()
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(_ *http.Request, f *form) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.hook.url, s.hook.secret, s.hook.allowedUpdates = "", "", nil
	s.hook.lastErrorDate, s.hook.lastErrorMsg = 0, ""
	s.notifyLocked()
	return true, nil
}

type webhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

func (s *Server) getWebhookInfo(*http.Request, *form) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := webhookInfo{URL: s.hook.url, PendingUpdateCount: len(s.queue)}
	if s.hook.url != "" {
		info.LastErrorDate, info.LastErrorMessage = s.hook.lastErrorDate, s.hook.lastErrorMsg
		info.MaxConnections, info.AllowedUpdates = s.hook.maxConnections, s.hook.allowedUpdates
	}
	return info, nil
}

// startDeliveryLocked starts the single delivery goroutine unless one is
// running; one goroutine is what keeps deliveries in order.
func (s *Server) startDeliveryLocked() {
	if s.hook.running || s.isClosingLocked() {
		return
	}
	if s.hook.client == nil {
		s.hook.client = &http.Client{Timeout: 10 * time.Second}
	}
	s.hook.running = true
	s.workers.Add(1)
	go s.deliverLoop()
}

func (s *Server) isClosingLocked() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

type delivery struct {
	url, secret string
	item        pending
	client      *http.Client
}

// deliverLoop posts queued updates to the webhook one at a time, in
// order, retrying each with backoff until the webhook accepts it with a
// 2xx, and exits when the webhook is deleted or the server closes.
func (s *Server) deliverLoop() {
	defer s.workers.Done()
	backoff := minBackoff
	for {
		d, ok := s.nextDelivery()
		if !ok {
			return
		}
		if err := s.post(d); err != nil {
			s.noteHookError(err)
			if !s.pause(backoff) {
				return
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		s.confirmDelivered(d.item.seq)
		backoff = minBackoff
	}
}

// nextDelivery waits for the head of the queue while a webhook is set.
func (s *Server) nextDelivery() (delivery, bool) {
	for {
		s.mu.Lock()
		if s.hook.url == "" || s.isClosingLocked() {
			s.hook.running = false
			s.mu.Unlock()
			return delivery{}, false
		}
		if len(s.queue) > 0 {
			d := delivery{url: s.hook.url, secret: s.hook.secret, item: s.queue[0], client: s.hook.client}
			s.mu.Unlock()
			return d, true
		}
		wake := s.changed
		s.mu.Unlock()
		select {
		case <-wake:
		case <-s.closing:
		}
	}
}

func (s *Server) post(d delivery) error {
	req, err := http.NewRequestWithContext(s.stopCtx, http.MethodPost, d.url, bytes.NewReader(d.item.raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if d.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", d.secret)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return statusError(resp.Status)
	}
	return nil
}

// statusError is a non-2xx webhook answer, worded as getWebhookInfo
// reports it in last_error_message.
type statusError string

func (e statusError) Error() string { return "Wrong response from the webhook: " + string(e) }

func (s *Server) noteHookError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook.lastErrorDate = s.unixNowLocked()
	s.hook.lastErrorMsg = strings.TrimSpace(err.Error())
}

// confirmDelivered drops the delivered update, unless the queue changed
// under it (dropped pending updates, or it was polled meanwhile).
func (s *Server) confirmDelivered(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 && s.queue[0].seq == seq {
		s.queue = append([]pending(nil), s.queue[1:]...)
		s.notifyLocked()
	}
}

func (s *Server) pause(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return false
	}
}
