// Package sms is the SMS channel: it sends through any HTTP SMS gateway, described in the config by
// a request template (method, url, headers, body) and a rule that recognises success, so a new
// provider is a few lines of config rather than code. SMS carries notices and links only.
//
// sms.rate_limit is not applied here: the dispatcher paces every channel (bot.Options.Limits), so a
// backlog waits in the outbox rather than in a blocked worker.
package sms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"cardbot"
)

// Sender is a channel of the dispatcher.
var _ cardbot.Sender = (*Sender)(nil)

// ChannelName is the name of this channel in the cascade and in attempts.
const ChannelName = "sms"

// maxBody bounds how much of a gateway's answer is read: answers are a few hundred bytes.
const maxBody = 64 << 10

// e164 is the form cardbot keeps phones in: a plus, then 7 to 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Sender sends SMS through the configured gateway. It is safe for concurrent use.
type Sender struct {
	cfg     cardbot.SMSConfig
	tmpl    templates
	method  string
	headers http.Header
	client  *http.Client
	log     *slog.Logger
}

// New checks the configuration (templates included) and returns a Sender. A nil client means a
// plain http.Client; the timeout is applied per request either way, through the context.
func New(cfg cardbot.SMSConfig, client *http.Client, log *slog.Logger) (*Sender, error) {
	method := strings.ToUpper(cfg.Method)
	if method != http.MethodGet && method != http.MethodPost {
		return nil, fmt.Errorf("sms.method must be GET or POST, not %q", cfg.Method)
	}
	if method == http.MethodGet && cfg.Body != "" {
		return nil, errors.New("sms.body is only sent with method POST")
	}
	if (cfg.SuccessJSONPath == "") != (cfg.SuccessValue == "") {
		return nil, errors.New("sms.success_json_path and sms.success_value go together: set both or neither")
	}
	tmpl, errs := parseTemplates(cfg)
	if len(errs) > 0 {
		joined := make([]error, len(errs))
		for i, e := range errs {
			joined[i] = e
		}
		return nil, errors.Join(joined...)
	}
	if client == nil {
		client = &http.Client{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	headers := http.Header{}
	for k, v := range cfg.Headers {
		headers.Set(k, v)
	}
	return &Sender{cfg: cfg, tmpl: tmpl, method: method, headers: headers, client: client, log: log}, nil
}

// Channel names the channel: "sms".
func (s *Sender) Channel() string { return ChannelName }

// Send sends m.Text (with its link buttons as plain links, see compose) to the E.164 phone m.To as one
// message; the gateway splits it into parts. Errors: a phone not in E.164 or an empty message →
// Permanent; otherwise as judge says. Network failures and timeouts are passing.
func (s *Sender) Send(ctx context.Context, m cardbot.Outgoing) error {
	if !e164.MatchString(m.To) {
		return &cardbot.SendError{Permanent: true, Reason: fmt.Sprintf("sms: %q is not a phone in E.164 form", m.To)}
	}
	text := compose(m)
	if text == "" {
		return &cardbot.SendError{Permanent: true, Reason: "sms: the message has no text and no links"}
	}
	if s.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(s.cfg.Timeout))
		defer cancel()
	}
	req, err := s.request(ctx, s.fields(m.To, text))
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return requestError(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return requestError(ctx, err)
	}
	if err := s.judge(resp, body, m.To); err != nil {
		return err
	}
	s.log.Debug("sms: sent", "status", resp.StatusCode)
	return nil
}

func (s *Sender) fields(phone, text string) Fields {
	return Fields{Phone: phone, Digits: strings.TrimPrefix(phone, "+"), Text: text, Sender: s.cfg.Sender}
}

// request renders the templates into an HTTP request. A POST body without a Content-Type header in
// the config is sent as JSON when it looks like JSON, as a form otherwise.
func (s *Sender) request(ctx context.Context, f Fields) (*http.Request, error) {
	target, err := render(s.tmpl.url, f)
	if err != nil {
		return nil, fmt.Errorf("sms: rendering the url: %w", err)
	}
	var body io.Reader
	var payload string
	if s.tmpl.body != nil {
		if payload, err = render(s.tmpl.body, f); err != nil {
			return nil, fmt.Errorf("sms: rendering the body: %w", err)
		}
		body = strings.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, s.method, target, body)
	if err != nil {
		// Say nothing of the address: it holds the API key.
		return nil, errors.New("sms: the url template made an address that is not a valid url for this phone or text")
	}
	req.Header = s.headers.Clone()
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", contentType(payload))
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "cardbot")
	}
	return req, nil
}

func contentType(payload string) string {
	if p := strings.TrimSpace(payload); strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return "application/json"
	}
	return "application/x-www-form-urlencoded"
}

// requestError is a passing failure that names what went wrong but not the address, which holds the
// API key (net/http quotes the whole url in its errors).
func requestError(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sms: the gateway did not answer in time: %w", err)
	}
	return fmt.Errorf("sms: calling the gateway: %w", err)
}
