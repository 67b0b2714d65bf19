package fakeapi

import (
	"bytes"
	"encoding/json"
	"net/url"
)

// Markup is a decoded reply_markup: an inline keyboard, a reply keyboard,
// or a request to remove the keyboard or force a reply.
type Markup struct {
	InlineKeyboard        [][]Button `json:"inline_keyboard,omitempty"`
	Keyboard              [][]Button `json:"keyboard,omitempty"`
	ResizeKeyboard        bool       `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard       bool       `json:"one_time_keyboard,omitempty"`
	IsPersistent          bool       `json:"is_persistent,omitempty"`
	InputFieldPlaceholder string     `json:"input_field_placeholder,omitempty"`
	RemoveKeyboard        bool       `json:"remove_keyboard,omitempty"`
	ForceReply            bool       `json:"force_reply,omitempty"`
}

// Button is an inline or reply keyboard button; only the fields the
// bot is expected to use are decoded.
type Button struct {
	Text            string  `json:"text"`
	CallbackData    string  `json:"callback_data,omitempty"`
	URL             string  `json:"url,omitempty"`
	WebApp          *WebApp `json:"web_app,omitempty"`
	RequestContact  bool    `json:"request_contact,omitempty"`
	RequestLocation bool    `json:"request_location,omitempty"`
}

// WebApp is a button's mini-app link.
type WebApp struct {
	URL string `json:"url"`
}

// IsInline reports whether the markup is an inline keyboard, the only
// kind Telegram attaches to the message itself.
func (m *Markup) IsInline() bool { return m != nil && m.InlineKeyboard != nil }

// parsedMarkup is a validated reply_markup with its compact JSON, which
// is what "message is not modified" compares.
type parsedMarkup struct {
	m   *Markup
	raw json.RawMessage
}

// parseMarkup validates reply_markup the way Telegram rejects the
// mistakes a bot is likely to make (oversized callback data, buttons
// without an action). An empty string means no markup.
func parseMarkup(text string) (parsedMarkup, *apiError) {
	if text == "" {
		return parsedMarkup{}, nil
	}
	var top map[string]json.RawMessage
	var m Markup
	if json.Unmarshal([]byte(text), &top) != nil || json.Unmarshal([]byte(text), &m) != nil {
		return parsedMarkup{}, badRequest("can't parse reply keyboard markup JSON object")
	}
	if countKinds(top) != 1 {
		return parsedMarkup{}, badRequest("can't parse reply keyboard markup JSON object")
	}
	if err := checkKeyboards(top, &m); err != nil {
		return parsedMarkup{}, err
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, []byte(text)) // valid: it was just decoded
	if m.InlineKeyboard == nil && top["inline_keyboard"] != nil {
		// {"inline_keyboard":null} or [] removes an inline keyboard.
		m.InlineKeyboard = [][]Button{}
	}
	return parsedMarkup{m: &m, raw: buf.Bytes()}, nil
}

// countKinds counts the mutually exclusive top-level keys of reply_markup.
func countKinds(top map[string]json.RawMessage) int {
	n := 0
	for _, k := range [...]string{"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"} {
		if _, ok := top[k]; ok {
			n++
		}
	}
	return n
}

func checkKeyboards(top map[string]json.RawMessage, m *Markup) *apiError {
	if raw, ok := top["inline_keyboard"]; ok {
		var rows [][]map[string]json.RawMessage
		if json.Unmarshal(raw, &rows) != nil {
			return badRequest("can't parse inline keyboard button")
		}
		for i, row := range rows {
			for j, b := range row {
				if err := checkInlineButton(b, m.InlineKeyboard[i][j]); err != nil {
					return err
				}
			}
		}
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == "" {
				return badRequest("keyboard button text must be non-empty")
			}
		}
	}
	return nil
}

func checkInlineButton(raw map[string]json.RawMessage, b Button) *apiError {
	if b.Text == "" {
		return badRequest("BUTTON_TEXT_INVALID")
	}
	if countActions(raw) == 0 {
		return badRequest("text buttons are unallowed in the inline keyboard")
	}
	if len(b.CallbackData) > 64 {
		return badRequest("BUTTON_DATA_INVALID")
	}
	if b.URL != "" && !validButtonURL(b.URL) {
		return badRequest("BUTTON_URL_INVALID")
	}
	return nil
}

// countActions counts the actions a button really carries (an inline
// button needs one). Empty values do not count: go-telegram/bot always
// sends "copy_text":{"text":""} because the field is a struct, which
// omitempty never omits.
func countActions(raw map[string]json.RawMessage) int {
	n := 0
	for _, k := range [...]string{
		"url", "callback_data", "web_app", "login_url", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
		"copy_text", "callback_game", "pay",
	} {
		v, ok := raw[k]
		if ok && !emptyJSON(v) {
			n++
		}
	}
	return n
}

func emptyJSON(v json.RawMessage) bool {
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return true
	}
	switch buf.String() {
	case "null", `""`, "false", `{"text":""}`:
		return true
	}
	return false
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}
