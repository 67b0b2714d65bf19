// Package email is the email channel: it sends each message as one email through an SMTP server (the
// owner's mailbox provider or a relay), with a plain-text and an HTML body, the card picture inline
// and an unsubscribe link, since notices and marketing go to people who never wrote to us by email.
//
// email.rate_limit is not applied here: the dispatcher paces every channel (bot.Options.Limits).
package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"cardbot"

	"github.com/wneessen/go-mail"
)

// Sender is a channel of the dispatcher.
var _ cardbot.Sender = (*Sender)(nil)

// ChannelName is the name of this channel in the cascade and in attempts.
const ChannelName = "email"

// Sender sends email through one SMTP server. It is safe for concurrent use: every Send opens its
// own connection, so workers never wait on each other's SMTP dialogue.
type Sender struct {
	cfg         cardbot.EmailConfig
	business    cardbot.Business
	from        netmail.Address
	words       words
	unsubscribe func(address string) string
	log         *slog.Logger
}

// Option changes a Sender made by New.
type Option func(*Sender)

// WithLocale picks the language of the words the email adds itself (the unsubscribe line): ru, the
// default, or en.
func WithLocale(locale string) Option {
	return func(s *Sender) { s.words = wordsFor(locale) }
}

// WithUnsubscribeTokens puts the unsubscribe link in every email: unsubscribe_url followed by the
// recipient's signed token, which the unsubscribe page (minisite) checks. Marketing mail also gets
// the List-Unsubscribe headers (RFC 2369, and RFC 8058 one-click over https), so mail clients show
// their own unsubscribe button. Without this option (or WithUnsubscribeLink) emails carry no link.
func WithUnsubscribeTokens(tokens *cardbot.UnsubscribeTokens) Option {
	return func(s *Sender) {
		if tokens != nil {
			s.unsubscribe = func(address string) string { return s.cfg.UnsubscribeURL + tokens.Token(address) }
		}
	}
}

// WithUnsubscribeLink replaces how the unsubscribe link of a recipient is made (tests, other pages).
func WithUnsubscribeLink(link func(address string) string) Option {
	return func(s *Sender) { s.unsubscribe = link }
}

// New checks the configuration and returns a Sender. It does not connect: a server that is down at
// start is a passing failure of the first sends, not a reason to refuse to start.
func New(cfg cardbot.EmailConfig, business cardbot.Business, log *slog.Logger, opts ...Option) (*Sender, error) {
	if err := check(cfg); err != nil {
		return nil, err
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email.from %q is not an address like cards@example.com or \"Name <cards@example.com>\"", cfg.From)
	}
	if from.Name == "" {
		from.Name = business.Name
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sender{cfg: cfg, business: business, from: *from, words: wordsFor("ru"), log: log}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// check repeats the rules config validation applies, for configurations built in code.
func check(cfg cardbot.EmailConfig) error {
	switch {
	case strings.TrimSpace(cfg.Host) == "":
		return errors.New("email.host must be set")
	case cfg.Port < 1 || cfg.Port > 65535:
		return fmt.Errorf("email.port must be from 1 to 65535, not %d", cfg.Port)
	case cfg.TLS != cardbot.EmailSTARTTLS && cfg.TLS != cardbot.EmailTLS && cfg.TLS != cardbot.EmailNoTLS:
		return fmt.Errorf("email.tls must be starttls, tls or none, not %q", cfg.TLS)
	case cfg.TLS == cardbot.EmailNoTLS && !IsLocalhost(cfg.Host):
		return errors.New("email.tls none sends the password and the mail in clear: it is only allowed for a server on this machine (localhost)")
	}
	u, err := url.Parse(cfg.UnsubscribeURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("email.unsubscribe_url must be an absolute http or https address")
	}
	return nil
}

// IsLocalhost reports whether host names this machine: the only place mail may go unencrypted.
func IsLocalhost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Channel names the channel: "email".
func (s *Sender) Channel() string { return ChannelName }

// Send delivers m to the address m.To as one email: subject from the business name and the first line
// of the text, a text and an HTML body, link buttons as links, the picture inline, and on marketing
// mail List-Unsubscribe headers with the same link as the footer. Errors: an address that is not one,
// or a 5xx refusal of the recipient (a hard bounce) → Permanent; anything else is passing.
func (s *Sender) Send(ctx context.Context, m cardbot.Outgoing) error {
	to, err := netmail.ParseAddress(m.To)
	if err != nil || to.Name != "" || to.Address != m.To {
		return &cardbot.SendError{Permanent: true, Reason: fmt.Sprintf("email: %q is not an email address", m.To)}
	}
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	client, err := s.client()
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	return s.classify(err, msg)
}

// client makes a go-mail client for one delivery. It is cheap (no I/O), and a fresh one per send keeps
// go-mail's per-client state (the chosen AUTH mechanism) out of reach of concurrent sends.
func (s *Sender) client() (*mail.Client, error) {
	opts := []mail.Option{
		mail.WithPort(s.cfg.Port),
		mail.WithTLSConfig(&tls.Config{
			ServerName:         s.cfg.Host,
			InsecureSkipVerify: s.cfg.InsecureSkipVerify, //nolint:gosec // the owner's explicit choice, for self-signed relays
			MinVersion:         tls.VersionTLS12,
		}),
	}
	if s.cfg.Timeout > 0 {
		opts = append(opts, mail.WithTimeout(time.Duration(s.cfg.Timeout)))
	}
	switch s.cfg.TLS {
	case cardbot.EmailTLS:
		opts = append(opts, mail.WithSSL())
	case cardbot.EmailNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		// Mandatory: a server that stops offering STARTTLS (or a man in the middle stripping it) must
		// not get the password in clear.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password), s.authOption())
	}
	return mail.NewClient(s.cfg.Host, opts...)
}

// authOption picks the AUTH mechanism. Over TLS go-mail chooses the best the server offers. Without
// TLS (localhost only) its discovery refuses PLAIN and LOGIN, which is what local relays offer, so
// they are named; go-mail itself still refuses them for any host but localhost.
func (s *Sender) authOption() mail.Option {
	if s.cfg.TLS == cardbot.EmailNoTLS {
		return mail.WithOpportunisticSMTPAuth(mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthCramMD5, mail.SMTPAuthPlain, mail.SMTPAuthLogin)
	}
	return mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover)
}

// message builds the email.
func (s *Sender) message(m cardbot.Outgoing) (*mail.Msg, error) {
	c := s.content(m)
	msg := mail.NewMsg()
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, fmt.Errorf("email: the from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, &cardbot.SendError{Permanent: true, Reason: fmt.Sprintf("email: %q is not an email address: %v", m.To, err)}
	}
	msg.Subject(c.Subject)
	msg.SetMessageIDWithValue(messageID(s.from.Address))
	msg.SetUserAgent("cardbot")
	// Vacation auto-replies and the like must not answer a loyalty notice (RFC 3834).
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	if c.Unsubscribe != "" && m.Kind == cardbot.KindMarketing {
		// Operation notices keep coming after an unsubscribe, so only marketing offers the mail
		// client's own button. One-click (RFC 8058) is for https links only.
		msg.SetListUnsubscribe(c.Unsubscribe)
		if strings.HasPrefix(c.Unsubscribe, "https://") {
			msg.SetListUnsubscribePost()
		}
	}
	msg.SetBodyString(mail.TypeTextPlain, plainBody(c))
	html, err := htmlBody(c)
	if err != nil {
		return nil, fmt.Errorf("email: the HTML body: %w", err)
	}
	msg.AddAlternativeString(mail.TypeTextHTML, html)
	if len(m.Picture) > 0 {
		if err := msg.EmbedReader(pictureName, bytes.NewReader(m.Picture),
			mail.WithFileContentID("<"+pictureID+">"), mail.WithFileContentType("image/png")); err != nil {
			return nil, fmt.Errorf("email: the picture: %w", err)
		}
	}
	return msg, nil
}

// messageID is a fresh Message-ID in the sender's domain: spam filters frown on ids from another
// host than the From address (go-mail would use this machine's name).
func messageID(from string) string {
	_, domain, _ := strings.Cut(from, "@")
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "@" + domain
}
