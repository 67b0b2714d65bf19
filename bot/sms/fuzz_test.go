package sms

import (
	"testing"

	"cardbot"
)

// Whatever the owner writes in a template, checking it reports a problem or accepts it and never
// panics. An accepted template may still fail on particular data (an index out of range, say): that
// is a send error the dispatcher retries or reports, not a crash, so it is only logged here.
func FuzzCheckTemplates(f *testing.F) {
	for _, s := range []string{
		"https://gw.example.com/?to={{.Digits}}&m={{.Text | urlquery}}",
		`{"to": {{json .Phone}}{{if .Sender}}, "from": {{json .Sender}}{{end}}}`,
		"{{define \"x\"}}{{.Nope}}{{end}}{{template \"x\" .}}",
		"{{range $i, $c := .Text}}{{$.Phone}}{{end}}", "{{with .Phone}}{{.}}{{else}}{{$.X}}{{end}}",
		"{{.Phone.X}}", "{{", "}}", "{{/* c */}}", "{{$x := .Text}}{{$x}}", "{{block \"b\" .}}{{.Text}}{{end}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cfg := cardbot.SMSConfig{Method: "POST", URL: "https://gw.example.com/", Body: src, SuccessJSONPath: src, SuccessValue: "OK"}
		ts, errs := parseTemplates(cfg)
		if len(errs) == 0 && ts.body != nil {
			if _, err := render(ts.body, Fields{Phone: "+15550100", Digits: "15550100", Text: "x"}); err != nil {
				t.Logf("accepted, then failed on other data: %v", err) // data-dependent (index…): allowed
			}
		}
	})
}

func FuzzLookup(f *testing.F) {
	f.Add([]byte(`{"a":{"b":[{"c":"x"}]}}`), "a.b.0.c")
	f.Add([]byte(`[1,2,{"s":null}]`), "2.s")
	f.Add([]byte(`"x"`), "")
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		lookup(body, path)
		mentionsBadNumber(body)
		snippet(body)
	})
}
