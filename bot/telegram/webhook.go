package telegram

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// maxUpdateBytes bounds a webhook body. Telegram's updates are a few kilobytes; the bound keeps a
// broken or hostile caller that has the secret from making us buffer without limit.
const maxUpdateBytes = 1 << 20

// secretHeader is where Telegram puts the webhook's secret_token.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookHandler serves Telegram's webhook calls (mount it at WebhookPath).
//
// It is ours rather than the library's, whose handler answers 200 before the update is handled and
// even when the secret is wrong. This one answers 401 unless the secret matches, 400 for a body that
// is not an update, and otherwise waits for the engine: 200 once Handle committed (or refused the
// update for good), 500 when it failed, so that Telegram delivers the update again later.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(a.serveWebhook)
}

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !a.secretOK(r.Header.Get(secretHeader)) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	u, status := readUpdate(w, r)
	if u == nil {
		http.Error(w, http.StatusText(status), status)
		return
	}
	rec, ok := a.receive(u)
	if !ok {
		w.WriteHeader(http.StatusOK) // not ours: nothing to redeliver
		return
	}
	if err := a.handleNow(r, rec); err != nil && !refused(err) {
		http.Error(w, "not handled, deliver again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// secretOK compares in constant time. An empty configured secret matches nothing: webhook mode
// without a secret would let anyone who finds the URL post updates.
func (a *Adapter) secretOK(got string) bool {
	want := a.cfg.WebhookSecret
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// readUpdate decodes the body, returning nil and the status to answer when it is not an update.
func readUpdate(w http.ResponseWriter, r *http.Request) (*models.Update, int) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge
		}
		return nil, http.StatusBadRequest
	}
	u := &models.Update{}
	if err := json.Unmarshal(body, u); err != nil || u.ID == 0 {
		return nil, http.StatusBadRequest
	}
	return u, 0
}

// handleNow queues the update behind its chat's earlier ones and waits until it was handled. It
// waits even if the caller hangs up: deliver then sees the cancelled context and returns at once,
// and ServeHTTP never returns with our work still running, so server shutdown waits for it.
func (a *Adapter) handleNow(r *http.Request, rec received) error {
	res := make(chan error, 1)
	a.seq.Submit(rec.chatID, func() {
		err := a.deliver(r.Context(), rec)
		if err != nil {
			a.logFailure(rec, err, !refused(err))
		}
		res <- err
	})
	return <-res
}
