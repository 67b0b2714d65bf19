package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/go-telegram/bot/models"
)

// maxPollBody bounds a getUpdates answer: 100 updates are far below it.
const maxPollBody = 32 << 20

// getUpdatesRequest is the getUpdates call. The library keeps its own getUpdates unexported (only
// Start uses it), so the adapter makes this one call itself, with the same server URL and token.
type getUpdatesRequest struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout,omitempty"` // seconds
	AllowedUpdates []string `json:"allowed_updates,omitempty"`
}

// apiError is the Bot API refusing a getUpdates call.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int // seconds, for 429
}

func (e *apiError) Error() string { return fmt.Sprintf("getUpdates: %d %s", e.Code, e.Description) }

// envelope is the Bot API's answer around every result.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// getUpdates calls the method and decodes the updates. Errors never carry the request URL, which
// holds the token.
func (a *Adapter) getUpdates(ctx context.Context, req getUpdatesRequest) ([]*models.Update, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	resp, err := a.post(ctx, a.http, "getUpdates", "application/json", body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxPollBody)).Decode(&env); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d with an unreadable body: %w", resp.StatusCode, err)
	}
	if !env.OK {
		return nil, &apiError{Code: env.ErrorCode, Description: env.Description, RetryAfter: env.Parameters.RetryAfter}
	}
	return a.decodeUpdates(env.Result)
}

// decodeUpdates decodes each update on its own: one that does not fit the library's models is
// logged and kept as a bare update_id, which the loop confirms as not ours, instead of failing the
// whole batch again on every poll.
func (a *Adapter) decodeUpdates(result json.RawMessage) ([]*models.Update, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(result, &raws); err != nil {
		return nil, fmt.Errorf("getUpdates: result is not a list: %w", err)
	}
	ups := make([]*models.Update, 0, len(raws))
	for _, raw := range raws {
		u := &models.Update{}
		if err := json.Unmarshal(raw, u); err != nil {
			var id struct {
				ID int64 `json:"update_id"`
			}
			if json.Unmarshal(raw, &id) != nil || id.ID == 0 {
				return nil, fmt.Errorf("getUpdates: an update without update_id: %w", err)
			}
			a.log.Error("skipping an update that does not decode", "update", id.ID, "err", err)
			u = &models.Update{ID: id.ID}
		}
		ups = append(ups, u)
	}
	return ups, nil
}
