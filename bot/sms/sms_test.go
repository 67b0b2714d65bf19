package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardbot"
	"cardbot/bot/sms"
)

// request is what the fake gateway received.
type request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   string
}

// gateway is a fake SMS gateway: it records every request and answers with reply.
type gateway struct {
	*httptest.Server
	mu    sync.Mutex
	got   []request
	reply func(w http.ResponseWriter, r *http.Request)
}

func newGateway(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) *gateway {
	t.Helper()
	g := &gateway{reply: reply}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.got = append(g.got, request{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), string(body)})
		g.mu.Unlock()
		g.reply(w, r)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) requests() []request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]request(nil), g.got...)
}

func answer(code int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func newSender(t *testing.T, cfg cardbot.SMSConfig) *sms.Sender {
	t.Helper()
	if cfg.Method == "" {
		cfg.Method = "GET"
	}
	s, err := sms.New(cfg, nil, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

const phone = "+79991234567"

var notice = cardbot.Outgoing{
	To:   phone,
	Text: "Начислено 50 бонусов & «спасибо»!\nБаланс: 150",
	Buttons: [][]cardbot.Button{
		{{Text: "Моя карта", URL: "https://cards.example.com/c/abc"}, {Text: "Оценить", Data: "rate:5"}},
	},
	Picture: []byte("\x89PNG"),
}

const noticeText = "Начислено 50 бонусов & «спасибо»!\nБаланс: 150\nМоя карта: https://cards.example.com/c/abc"

func TestGETQuery(t *testing.T) {
	g := newGateway(t, answer(200, "OK"))
	s := newSender(t, cardbot.SMSConfig{
		URL:     g.URL + "/send?key=secret-key&to={{.Digits}}&plus={{.Phone | urlquery}}&from={{.Sender}}&text={{.Text | urlquery}}",
		Headers: map[string]string{"X-Api-Key": "header-secret"},
		Sender:  "Zerno",
	})
	if err := s.Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	got := g.requests()
	if len(got) != 1 {
		t.Fatalf("want 1 request, got %d", len(got))
	}
	r := got[0]
	q := r.Query
	if r.Method != "GET" || r.Path != "/send" || q.Get("to") != "79991234567" || q.Get("plus") != phone ||
		q.Get("from") != "Zerno" || q.Get("key") != "secret-key" {
		t.Errorf("request %s %s %v", r.Method, r.Path, q)
	}
	if q.Get("text") != noticeText {
		t.Errorf("text\n got %q\nwant %q", q.Get("text"), noticeText)
	}
	if r.Header.Get("X-Api-Key") != "header-secret" || r.Header.Get("User-Agent") != "cardbot" || r.Body != "" {
		t.Errorf("headers %v, body %q", r.Header, r.Body)
	}
	if s.Channel() != "sms" {
		t.Errorf("Channel() = %q", s.Channel())
	}
}

func TestPOSTJSON(t *testing.T) {
	g := newGateway(t, answer(201, `{"ok":true}`))
	s := newSender(t, cardbot.SMSConfig{
		Method:  "post",
		URL:     g.URL + "/v1/messages",
		Headers: map[string]string{"Authorization": "Bearer tok"},
		Body:    `{"to": {{json .Phone}}, "text": {{json .Text}}, "from": {{json .Sender}}}`,
	})
	m := cardbot.Outgoing{To: phone, Text: "He said \"hi\"\n\\ <b>&</b>"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r := g.requests()[0]
	var body struct{ To, Text, From string }
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.Body, err)
	}
	if r.Method != "POST" || body.To != phone || body.Text != m.Text || body.From != "" {
		t.Errorf("%s %+v", r.Method, body)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("headers %v", r.Header)
	}
}

func TestPOSTForm(t *testing.T) {
	g := newGateway(t, answer(200, "queued"))
	s := newSender(t, cardbot.SMSConfig{
		Method: "POST",
		URL:    g.URL + "/send",
		Body:   "to={{.Digits}}&text={{.Text | urlquery}}",
	})
	if err := s.Send(context.Background(), notice); err != nil {
		t.Fatal(err)
	}
	r := g.requests()[0]
	form, err := url.ParseQuery(r.Body)
	if err != nil || form.Get("to") != "79991234567" || form.Get("text") != noticeText {
		t.Errorf("form %q: %v %v", r.Body, form, err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
}

// A Content-Type in the config's headers wins over the guess.
func TestPOSTContentTypeFromConfig(t *testing.T) {
	g := newGateway(t, answer(200, ""))
	s := newSender(t, cardbot.SMSConfig{
		Method: "POST", URL: g.URL, Body: "{{.Text}}",
		Headers: map[string]string{"content-type": "text/plain; charset=utf-8"},
	})
	if err := s.Send(context.Background(), cardbot.Outgoing{To: phone, Text: "{hi}"}); err != nil {
		t.Fatal(err)
	}
	if ct := g.requests()[0].Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestSuccessRules(t *testing.T) {
	smsRU := `{"status":"OK","sms":{"79991234567":{"status":"%s","status_code":100}},"list":[{"n":1}],"flag":true}`
	tests := []struct {
		name     string
		code     int
		body     string
		contains string
		path     string
		value    string
		ok       bool
	}{
		{"2xx without rules", 204, "", "", "", "", true},
		{"contains found", 200, "Result: ACCEPTED id=5", "ACCEPTED", "", "", true},
		{"contains missing", 200, "Result: REJECTED", "ACCEPTED", "", "", false},
		{"json value", 200, `{"status":"OK"}`, "", "status", "OK", true},
		{"json value in any case", 200, `{"status":"ok"}`, "", "status", "OK", true},
		{"json value differs", 200, `{"status":"ERROR"}`, "", "status", "OK", false},
		{"json path missing", 200, `{"result":"OK"}`, "", "status", "OK", false},
		{"not json", 200, `OK`, "", "status", "OK", false},
		{"json path from the phone", 200, strings.Replace(smsRU, "%s", "OK", 1), "", "sms.{{.Digits}}.status", "OK", true},
		{"per-number error under a top-level OK", 200, strings.Replace(smsRU, "%s", "ERROR", 1), "", "sms.{{.Digits}}.status", "OK", false},
		{"number value", 200, strings.Replace(smsRU, "%s", "OK", 1), "", "sms.{{.Digits}}.status_code", "100", true},
		{"list index", 200, strings.Replace(smsRU, "%s", "OK", 1), "", "list.0.n", "1", true},
		{"list index out of range", 200, strings.Replace(smsRU, "%s", "OK", 1), "", "list.3.n", "1", false},
		{"bool value", 200, strings.Replace(smsRU, "%s", "OK", 1), "", "flag", "true", true},
		{"both rules hold", 200, `{"status":"OK","id":"ACCEPTED"}`, "ACCEPTED", "status", "OK", true},
		{"one of both fails", 200, `{"status":"OK"}`, "ACCEPTED", "status", "OK", false},
		{"2xx is required even if the rule holds", 302, `{"status":"OK"}`, "", "status", "OK", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, answer(tt.code, tt.body))
			s := newSender(t, cardbot.SMSConfig{
				URL: g.URL + "/send", SuccessContains: tt.contains, SuccessJSONPath: tt.path, SuccessValue: tt.value,
			})
			err := s.Send(context.Background(), cardbot.Outgoing{To: phone, Text: "hi"})
			if tt.ok != (err == nil) {
				t.Fatalf("want success %v, got %v", tt.ok, err)
			}
			var se *cardbot.SendError
			if err != nil && errors.As(err, &se) {
				t.Errorf("a failed rule without a bad-number message must be passing, got %#v", se)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	type want struct {
		permanent  bool
		retryAfter time.Duration // >0: a 429
		passing    bool          // a plain error: retry later on the same channel
	}
	in := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request)
		want  want
	}{
		{"400 bad number", answer(400, `{"error":"invalid number"}`), want{permanent: true}},
		{"404", answer(404, `no such subscriber`), want{permanent: true}},
		{"422", answer(422, `{"errors":["to is not a valid phone number"]}`), want{permanent: true}},
		{"429 with seconds", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		}, want{retryAfter: 7 * time.Second}},
		{"429 with a date", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", in)
			w.WriteHeader(429)
		}, want{retryAfter: 90 * time.Second}},
		{"429 without Retry-After", answer(429, ""), want{retryAfter: 30 * time.Second}},
		{"500", answer(500, "internal error"), want{passing: true}},
		{"503", answer(503, ""), want{passing: true}},
		{"401 wrong key", answer(401, "unauthorized"), want{passing: true}},
		{"200 with an invalid number", answer(200, `{"status":"ERROR","status_text":"Invalid phone number"}`), want{permanent: true}},
		{"200 with a Russian refusal, escaped", answer(200,
			`{"status":"ERROR","status_text":"\u041d\u0435\u043f\u0440\u0430\u0432\u0438\u043b\u044c\u043d\u043e \u0443\u043a\u0430\u0437\u0430\u043d \u043d\u043e\u043c\u0435\u0440"}`),
			want{permanent: true}},
		{"200 out of money", answer(200, `{"status":"ERROR","status_text":"insufficient funds"}`), want{passing: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, tt.reply)
			s := newSender(t, cardbot.SMSConfig{URL: g.URL + "/send?to={{.Digits}}", SuccessJSONPath: "status", SuccessValue: "OK"})
			err := s.Send(context.Background(), cardbot.Outgoing{To: phone, Text: "hi"})
			if err == nil {
				t.Fatal("want an error")
			}
			var se *cardbot.SendError
			isSE := errors.As(err, &se)
			switch {
			case tt.want.passing && isSE:
				t.Fatalf("want a passing error, got %#v", se)
			case tt.want.permanent && (!isSE || !se.Permanent):
				t.Fatalf("want Permanent, got %v", err)
			case tt.want.retryAfter > 0 && (!isSE || se.Permanent || se.RetryAfter < tt.want.retryAfter-2*time.Second || se.RetryAfter > tt.want.retryAfter):
				t.Fatalf("want RetryAfter about %s, got %v", tt.want.retryAfter, err)
			}
		})
	}
}

func TestTimeoutIsPassing(t *testing.T) {
	release := make(chan struct{})
	g := newGateway(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release) // before g.Close, which waits for the handler
	s := newSender(t, cardbot.SMSConfig{URL: g.URL + "/send?key=secret-key", Timeout: cardbot.Duration(50 * time.Millisecond)})
	start := time.Now()
	err := s.Send(context.Background(), cardbot.Outgoing{To: phone, Text: "hi"})
	var se *cardbot.SendError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a passing error, got %v", err)
	}
	// Without the timeout the send would wait for the held gateway until the test ends.
	if time.Since(start) > 10*time.Second {
		t.Errorf("the timeout of 50ms took %s", time.Since(start))
	}
	if !strings.Contains(err.Error(), "in time") || strings.Contains(err.Error(), "secret-key") {
		t.Errorf("error %q: want a timeout that does not quote the url", err)
	}
}

func TestGatewayDownIsPassing(t *testing.T) {
	g := newGateway(t, answer(200, ""))
	addr := g.URL
	g.Close()
	s := newSender(t, cardbot.SMSConfig{URL: addr + "/send?key=secret-key&to={{.Digits}}"})
	err := s.Send(context.Background(), cardbot.Outgoing{To: phone, Text: "hi"})
	var se *cardbot.SendError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("want a passing error, got %v", err)
	}
	if strings.Contains(err.Error(), "secret-key") {
		t.Errorf("the error quotes the url with its key: %v", err)
	}
}

func TestBadAddressIsPermanent(t *testing.T) {
	g := newGateway(t, answer(200, ""))
	s := newSender(t, cardbot.SMSConfig{URL: g.URL})
	for _, m := range []cardbot.Outgoing{
		{To: "79991234567", Text: "no plus"},
		{To: "+7 999 123-45-67", Text: "spaces"},
		{To: "", Text: "empty"},
		{To: phone, Text: "  ", Buttons: [][]cardbot.Button{{{Text: "only data", Data: "x"}}}},
	} {
		err := s.Send(context.Background(), m)
		var se *cardbot.SendError
		if !errors.As(err, &se) || !se.Permanent {
			t.Errorf("%+v: want Permanent, got %v", m, err)
		}
	}
	if n := len(g.requests()); n != 0 {
		t.Errorf("%d requests reached the gateway", n)
	}
}

func TestLongTextIsOneCappedMessage(t *testing.T) {
	g := newGateway(t, answer(200, ""))
	s := newSender(t, cardbot.SMSConfig{URL: g.URL + "/send?text={{.Text | urlquery}}"})
	m := cardbot.Outgoing{To: phone, Text: strings.Repeat("Бонусы ", 200),
		Buttons: [][]cardbot.Button{{{Text: "Карта", URL: "https://cards.example.com/c/1"}}}}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := g.requests()
	text := []rune(got[0].Query.Get("text"))
	if len(got) != 1 || len(text) > sms.MaxRunes || !strings.HasSuffix(string(text), "…\nКарта: https://cards.example.com/c/1") {
		t.Errorf("%d requests; text of %d runes ending %q", len(got), len(text), string(text[len(text)-40:]))
	}
}

func TestTemplateErrorsAtNew(t *testing.T) {
	base := cardbot.SMSConfig{Method: "GET", URL: "https://gw.example.com/send?key=SECRET&to={{.Digits}}"}
	tests := []struct {
		name   string
		change func(c *cardbot.SMSConfig)
		want   []string // all must appear in the error
	}{
		{"unknown field in the url", func(c *cardbot.SMSConfig) { c.URL += "&msg={{.Txt}}" }, []string{"sms.url", "unknown field .Txt", ".Phone, .Digits, .Text, .Sender"}},
		{"unknown field in an untaken branch", func(c *cardbot.SMSConfig) {
			c.Method, c.Body = "POST", `{"to":{{json .Phone}}{{if .Sender}},"from":{{json .SenderName}}{{end}}}`
		}, []string{"sms.body", "unknown field .SenderName"}},
		{"unknown field through $", func(c *cardbot.SMSConfig) {
			c.Method, c.Body = "POST", `{{range $i, $c := .Text}}{{$.Phon}}{{end}}`
		}, []string{"sms.body", "unknown field .Phon"}},
		{"field of a field", func(c *cardbot.SMSConfig) { c.URL += "&x={{.Phone.Country}}" }, []string{"sms.url", ".Phone is text and has no field .Country"}},
		{"unknown function", func(c *cardbot.SMSConfig) { c.URL += "&msg={{.Text | urlencode}}" }, []string{"sms.url", `function "urlencode" not defined`}},
		{"syntax", func(c *cardbot.SMSConfig) { c.URL += "&msg={{.Text" }, []string{"sms.url", "line 1"}},
		{"url not http", func(c *cardbot.SMSConfig) { c.URL = "gw.example.com/send?to={{.Digits}}" }, []string{"sms.url", "absolute http or https"}},
		{"url empty", func(c *cardbot.SMSConfig) { c.URL = "" }, []string{"sms.url", "must be set"}},
		{"json path", func(c *cardbot.SMSConfig) { c.SuccessJSONPath, c.SuccessValue = "sms.{{.Number}}.status", "OK" }, []string{"sms.success_json_path", "unknown field .Number"}},
		{"body with GET", func(c *cardbot.SMSConfig) { c.Body = "x" }, []string{"sms.body", "POST"}},
		{"json path without value", func(c *cardbot.SMSConfig) { c.SuccessJSONPath = "status" }, []string{"success_value"}},
		{"method", func(c *cardbot.SMSConfig) { c.Method = "PUT" }, []string{"sms.method", "GET or POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.change(&cfg)
			_, err := sms.New(cfg, nil, nil)
			if err == nil {
				t.Fatal("New accepted it")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

func TestCheckTemplatesNamesKeys(t *testing.T) {
	errs := sms.CheckTemplates(cardbot.SMSConfig{
		URL: "https://gw.example.com/{{.Foo}}", Body: "{{.Bar}}", SuccessJSONPath: "{{.Baz}}",
	})
	var keys []string
	for _, e := range errs {
		keys = append(keys, e.Key)
	}
	if strings.Join(keys, ",") != "url,body,success_json_path" {
		t.Fatalf("keys %v: %v", keys, errs)
	}
	if errs := sms.CheckTemplates(cardbot.SMSConfig{URL: "https://gw.example.com/?to={{.Digits}}"}); len(errs) != 0 {
		t.Fatalf("a good url: %v", errs)
	}
}
