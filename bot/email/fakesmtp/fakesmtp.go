// Package fakesmtp is an in-process SMTP server for tests, built on github.com/emersion/go-smtp. It
// listens on 127.0.0.1 on a free port, records every message it accepts, and can be told to refuse a
// recipient (550 for a hard bounce, 451 for a passing one), to require AUTH, or to speak TLS.
package fakesmtp

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message: the envelope and the raw RFC 5322 data.
type Message struct {
	From string
	To   []string
	Data []byte
	User string // who authenticated, "" without AUTH
}

// Server is a running fake. The zero value is not usable; call Start.
type Server struct {
	Host string // 127.0.0.1
	Port int

	srv *smtp.Server
	ln  net.Listener

	mu       sync.Mutex
	user     string
	password string
	rejects  map[string]int // lower-case recipient → reply code
	messages []Message
	logins   []string
}

// Option configures Start.
type Option func(*Server)

// WithAuth makes the server offer AUTH PLAIN and refuse mail from sessions that did not log in with
// these credentials. Plain-text AUTH is allowed without TLS: the fake only ever talks to this machine.
func WithAuth(user, password string) Option {
	return func(s *Server) {
		s.user, s.password = user, password
		s.srv.AllowInsecureAuth = true
	}
}

// WithSTARTTLS offers STARTTLS with this certificate.
func WithSTARTTLS(cfg *tls.Config) Option {
	return func(s *Server) { s.srv.TLSConfig = cfg }
}

// WithImplicitTLS speaks TLS from the first byte (the port-465 way).
func WithImplicitTLS(cfg *tls.Config) Option {
	return func(s *Server) { s.ln = tls.NewListener(s.ln, cfg) }
}

// Start listens on 127.0.0.1:0 and serves until the test ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("fakesmtp: %v", err)
	}
	s := &Server{ln: ln, rejects: map[string]int{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "fake.smtp.test"
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // dropped connections are what some tests are about
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	for _, o := range opts {
		o(s)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = addr.IP.String(), addr.Port
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(s.ln)
	}()
	tb.Cleanup(func() {
		s.Close()
		<-done
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Close stops the server; sends to it fail to connect from then on. Safe to call more than once.
func (s *Server) Close() {
	s.srv.Close()
	s.ln.Close() // in case Serve has not registered it yet: its Accept fails and Serve returns
}

// Reject makes the server refuse RCPT TO for address with code: 550 (mailbox unavailable, a hard
// bounce), 553 (mailbox name not allowed) or 451 (try again later). 0 accepts it again.
func (s *Server) Reject(address string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.rejects, strings.ToLower(address))
		return
	}
	s.rejects[strings.ToLower(address)] = code
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Logins returns the user names of successful AUTHs, in order.
func (s *Server) Logins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.logins)
}

// NewSession is go-smtp's Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

func (s *Server) accept(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

func (s *Server) rejection(to string) *smtp.SMTPError {
	s.mu.Lock()
	code := s.rejects[strings.ToLower(to)]
	s.mu.Unlock()
	switch code {
	case 0:
		return nil
	case 550:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	case 553:
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Mailbox name not allowed"}
	case 451:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	class := code / 100
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{class, 0, 0}, Message: "Refused"}
}

// session is one SMTP connection's transaction state.
type session struct {
	srv  *Server
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != ss.srv.user || password != ss.srv.password {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		ss.srv.mu.Lock()
		ss.srv.logins = append(ss.srv.logins, user)
		ss.srv.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.user != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.srv.rejection(to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	if len(ss.to) == 0 {
		return errors.New("no recipients")
	}
	ss.srv.accept(Message{From: ss.from, To: slices.Clone(ss.to), Data: b.Bytes(), User: ss.user})
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
