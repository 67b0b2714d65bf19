package telegram_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cardbot"
	"cardbot/bot/telegram"
)

// A Bot API behind a proxy that answers a send with an HTML error page, then goes away altogether:
// both failures are passing (the dispatcher tries again later), and neither error names the token,
// which is part of every method's URL.
func TestSendFailuresThatAreNotTelegramsAnswers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"Зерно","username":"zerno_bot"}}`))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	}))
	a, err := telegram.New(cardbot.TelegramConfig{Token: token, APIURL: srv.URL, Mode: cardbot.TelegramPolling}, newRecorder(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	passing := func(what string, m cardbot.Outgoing) {
		t.Helper()
		err := a.Send(ctxT(t), m)
		var se *cardbot.SendError
		if err == nil || errors.As(err, &se) {
			t.Errorf("%s: %v, want a passing (non-SendError) error", what, err)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("%s: the error names the token: %v", what, err)
		}
	}
	text := cardbot.Outgoing{To: "1001", Text: "hi"}
	photo := cardbot.Outgoing{To: "1001", Text: "hi", Picture: cardPNG(t, 2, 2)}
	passing("HTML page on sendMessage", text)
	passing("HTML page on sendPhoto", photo)
	srv.Close()
	passing("server gone, sendMessage", text)
	passing("server gone, sendPhoto", photo)
}
