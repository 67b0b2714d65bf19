package telegram

import "cardbot"

// The keyboards are our own small types rather than the library's models: its InlineKeyboardButton
// holds copy_text as a struct, which omitempty never omits, so every button would carry
// "copy_text":{"text":""}, a second action that Telegram has been reported to refuse
// (BUTTON_COPY_TEXT_INVALID). Send encodes them itself (see call.go).

type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	URL          string `json:"url,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`
}

type replyKeyboard struct {
	Keyboard        [][]keyboardButton `json:"keyboard"`
	ResizeKeyboard  bool               `json:"resize_keyboard"`
	OneTimeKeyboard bool               `json:"one_time_keyboard"` // hidden once the contact is shared
}

type keyboardButton struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// replyMarkup builds the message's one reply_markup (see Send for the rules). It returns an untyped
// nil when there is none: the calls leave out only a zero interface, not a typed nil pointer.
func replyMarkup(m cardbot.Outgoing) (any, error) {
	if m.AskPhone {
		return phoneKeyboard(m.Buttons), nil
	}
	if buttonCount(m.Buttons) == 0 {
		return nil, nil
	}
	kb := inlineKeyboard{}
	for _, row := range m.Buttons {
		if len(row) == 0 {
			continue // Telegram refuses empty rows
		}
		out := make([]inlineButton, len(row))
		for i, b := range row {
			ib, err := toInline(b)
			if err != nil {
				return nil, err
			}
			out[i] = ib
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb, nil
}

// toInline checks a button against Telegram's rules here, where the mistake can be named, rather
// than sending it to come back as an opaque 400. Both are permanent: the message is wrong, not the
// moment.
func toInline(b cardbot.Button) (inlineButton, error) {
	switch {
	case b.Text == "":
		return inlineButton{}, permanent("a button has no text")
	case b.URL != "":
		return inlineButton{Text: b.Text, URL: b.URL}, nil // a link button; Data would be a second action
	case b.Data == "":
		return inlineButton{}, permanent("button %q has neither data nor a URL", b.Text)
	case len(b.Data) > maxCallbackData:
		return inlineButton{}, permanent("button %q: data is %d bytes, Telegram allows %d", b.Text, len(b.Data), maxCallbackData)
	}
	return inlineButton{Text: b.Text, CallbackData: b.Data}, nil
}

// phoneKeyboard is the one-time keyboard whose only button shares the user's own contact.
func phoneKeyboard(buttons [][]cardbot.Button) replyKeyboard {
	label := DefaultPhoneLabel
	if len(buttons) > 0 && len(buttons[0]) > 0 && buttons[0][0].Text != "" {
		label = buttons[0][0].Text
	}
	return replyKeyboard{
		Keyboard:       [][]keyboardButton{{{Text: label, RequestContact: true}}},
		ResizeKeyboard: true, OneTimeKeyboard: true,
	}
}

func buttonCount(rows [][]cardbot.Button) int {
	n := 0
	for _, row := range rows {
		n += len(row)
	}
	return n
}
