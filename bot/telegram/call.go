package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cardbot"
)

// maxAnswerBody bounds a Bot API answer to a send: a message, a few kilobytes.
const maxAnswerBody = 1 << 20

// The two methods Send uses are called here rather than through the library: it builds every form by
// reflection, streams it through a pipe from a goroutine of its own and decodes the whole message
// Telegram answers with (twice: the envelope, then the result), while Send only needs to know whether
// the call succeeded. For a card picture that was a third of the CPU the adapter spent per message.

// sendMessage posts a text message as JSON (reply_markup as an object, as the Bot API accepts).
func (a *Adapter) sendMessage(ctx context.Context, chatID int64, text string, markup any) error {
	body, err := json.Marshal(struct {
		ChatID      int64  `json:"chat_id"`
		Text        string `json:"text"`
		ReplyMarkup any    `json:"reply_markup,omitempty"`
	}{chatID, text, markup})
	if err != nil {
		return permanent("sendMessage: %v", err)
	}
	return a.call(ctx, "sendMessage", "application/json", body)
}

// sendPhoto uploads png as a multipart form, with the caption and reply_markup when there are any.
func (a *Adapter) sendPhoto(ctx context.Context, chatID int64, png []byte, caption string, markup any) error {
	var buf bytes.Buffer
	buf.Grow(len(png) + 1024)
	form := multipart.NewWriter(&buf)
	fields := [][2]string{{"chat_id", strconv.FormatInt(chatID, 10)}}
	if caption != "" {
		fields = append(fields, [2]string{"caption", caption})
	}
	if markup != nil {
		m, err := json.Marshal(markup)
		if err != nil {
			return permanent("sendPhoto: %v", err)
		}
		fields = append(fields, [2]string{"reply_markup", string(m)})
	}
	for _, f := range fields {
		if err := form.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	part, err := form.CreateFormFile("photo", "card.png")
	if err != nil {
		return err
	}
	if _, err := part.Write(png); err != nil {
		return err
	}
	if err := form.Close(); err != nil {
		return err
	}
	return a.call(ctx, "sendPhoto", form.FormDataContentType(), buf.Bytes())
}

// answer is the Bot API's envelope less its result.
type answer struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call posts body to method and turns a refusal into what the dispatcher acts on (see Send): 429 →
// RetryAfter; 403 and 400 (blocked, chat not found, bad markup, the group moved) → Permanent; any
// other failure is passing. Errors never carry the request URL, which holds the token.
func (a *Adapter) call(ctx context.Context, method, contentType string, body []byte) error {
	resp, err := a.post(ctx, a.api, method, contentType, body)
	if err != nil {
		return fmt.Errorf("telegram %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBody))
	if err != nil {
		return fmt.Errorf("telegram %s: reading the answer: %w", method, err)
	}
	var ans answer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("telegram %s: HTTP %d with an unreadable body: %w", method, resp.StatusCode, err)
	}
	if ans.OK {
		return nil
	}
	reason := "telegram " + method + ": " + ans.Description
	switch ans.ErrorCode {
	case http.StatusTooManyRequests:
		wait := time.Duration(max(ans.Parameters.RetryAfter, 1)) * time.Second
		return &cardbot.SendError{RetryAfter: wait, Reason: reason}
	case http.StatusForbidden, http.StatusBadRequest:
		if ans.Parameters.MigrateToChatID != 0 {
			reason += fmt.Sprintf(" (the chat is now %d)", ans.Parameters.MigrateToChatID)
		}
		return &cardbot.SendError{Permanent: true, Reason: reason}
	}
	return fmt.Errorf("telegram %s: %d %s", method, ans.ErrorCode, ans.Description)
}

// post sends body to the Bot API method through client: the one place our own calls put the token
// in a URL. Its errors start with the method and never carry the URL.
func (a *Adapter) post(ctx context.Context, client *http.Client, method, contentType string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"/bot"+a.cfg.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: the API URL is not usable", method) // the parse error would quote the token
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the same failure without the URL
		}
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	return resp, nil
}
