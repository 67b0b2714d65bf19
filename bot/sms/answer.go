package sms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cardbot"
)

// Pauses asked for by a 429: defaultRetryAfter when the gateway names none, never more than maxRetryAfter
// (a bad header must not silence the channel for days).
const (
	defaultRetryAfter = 30 * time.Second
	maxRetryAfter     = time.Hour
)

// badNumber are phrases, lower case, with which gateways say the number cannot get SMS. A 2xx answer
// that fails the success rule and holds one of them is a final failure for this address, so the
// cascade moves on to email rather than retrying.
var badNumber = []string{
	"invalid number", "invalid phone", "invalid recipient", "invalid destination", "invalid msisdn",
	"invalid 'to'", "not a valid phone", "not a valid mobile", "wrong number", "bad number", "unknown subscriber",
	"неправильно указан номер", "неверный номер", "некорректный номер", "неправильный номер", "нет маршрута",
}

// judge turns the gateway's answer into what the dispatcher acts on.
//
//   - 429: wait as long as Retry-After says (seconds or a date), 30s when it says nothing.
//   - 400, 404, 422: the gateway refused this request for good, which for an SMS means the number.
//   - other non-2xx (5xx, 401/403 for a wrong key…): passing; the owner may fix the key meanwhile.
//   - 2xx: the success rule decides; a failed rule is final when the body says the number is bad.
func (s *Sender) judge(resp *http.Response, body []byte, phone string) error {
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		return &cardbot.SendError{RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Reason: "sms: the gateway asks to slow down (429)"}
	case code == http.StatusBadRequest || code == http.StatusNotFound || code == http.StatusUnprocessableEntity:
		return &cardbot.SendError{Permanent: true, Reason: fmt.Sprintf("sms: the gateway refused %s: %d %s", phone, code, snippet(body))}
	case code < 200 || code > 299:
		return fmt.Errorf("sms: the gateway answered %d %s", code, snippet(body))
	}
	if s.succeeded(body, phone) {
		return nil
	}
	if mentionsBadNumber(body) {
		return &cardbot.SendError{Permanent: true, Reason: fmt.Sprintf("sms: the gateway refused %s: %s", phone, snippet(body))}
	}
	return fmt.Errorf("sms: the gateway did not confirm the message: %s", snippet(body))
}

// succeeded applies success_contains and success_json_path/success_value to a 2xx body.
func (s *Sender) succeeded(body []byte, phone string) bool {
	if c := s.cfg.SuccessContains; c != "" && !bytes.Contains(body, []byte(c)) {
		return false
	}
	if s.tmpl.path == nil {
		return true
	}
	path, err := render(s.tmpl.path, s.fields(phone, ""))
	if err != nil {
		return false
	}
	v, ok := lookup(body, path)
	return ok && strings.EqualFold(v, s.cfg.SuccessValue)
}

// lookup finds the value at a dotted path in a JSON document (a number in the path indexes a list)
// and returns it as text: a string as it is, anything else as JSON writes it (100, true, null).
func lookup(body []byte, path string) (string, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return "", false
	}
	for key := range strings.SplitSeq(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[key]; !ok {
				return "", false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case nil:
		return "null", true
	}
	b, _ := json.Marshal(v)
	return string(b), true
}

func mentionsBadNumber(body []byte) bool {
	low := strings.ToLower(decodedText(body))
	for _, p := range badNumber {
		if strings.Contains(low, p) {
			return true
		}
	}
	return false
}

// decodedText is the body with JSON's \uXXXX escapes undone, so "\u041d\u0435..." matches Russian
// phrases too; a body that is not JSON is taken as it is.
func decodedText(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return string(body)
	}
	b, err := json.Marshal(v) // strings come out as UTF-8; only <, > and & stay escaped
	if err != nil {
		return string(body)
	}
	return string(b)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date (the gateway's real clock, so the
// real time is the right one to measure it against).
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	d := defaultRetryAfter
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(h); err == nil {
		d = time.Until(at)
	}
	return min(max(d, time.Second), maxRetryAfter)
}

// snippet is the start of a response body for an error message, on one line and readable.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(decodedText(body)), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	return cut(s, 200)
}
