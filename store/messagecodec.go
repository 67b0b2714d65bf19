package store

import (
	"strconv"
	"time"
	"unicode/utf8"

	"cardbot"
)

// appendMessageRecord appends the JSON of a messageRecord: the bytes encoding/json writes for it, field
// for field and escape for escape (a test compares the two on every field and on awkward text), without
// reflection. Outbox rows are the records written most often: two at a first contact and again when
// each is sent. Reading them stays with encoding/json.
func appendMessageRecord(b []byte, m *cardbot.Message) ([]byte, error) {
	var err error
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, recordVersion, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, m.ID, 10)
	if m.ClientID != 0 {
		b = append(b, `,"client_id":`...)
		b = strconv.AppendUint(b, m.ClientID, 10)
	}
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(m.Kind))
	if m.To != nil {
		b = append(b, `,"to":`...)
		b = appendAddress(b, *m.To)
	}
	b = append(b, `,"text":`...)
	b = appendJSONString(b, m.Text)
	if m.CardID != 0 {
		b = append(b, `,"card_id":`...)
		b = strconv.AppendUint(b, m.CardID, 10)
	}
	if len(m.Buttons) > 0 {
		b = append(b, `,"buttons":[`...)
		for i, row := range m.Buttons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendButtons(b, row)
		}
		b = append(b, ']')
	}
	if m.AskPhone {
		b = append(b, `,"ask_phone":true`...)
	}
	if m.Broadcast != 0 {
		b = append(b, `,"broadcast":`...)
		b = strconv.AppendUint(b, m.Broadcast, 10)
	}
	if m.Image != "" {
		b = append(b, `,"image":`...)
		b = appendJSONString(b, m.Image)
	}
	if m.Event != "" {
		b = append(b, `,"event":`...)
		b = appendJSONString(b, m.Event)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(m.Status))
	if len(m.Attempts) > 0 {
		b = append(b, `,"attempts":[`...)
		for i, a := range m.Attempts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"channel":`...)
			b = appendJSONString(b, a.Channel)
			b = append(b, `,"at":`...)
			if b, err = appendJSONTime(b, a.At); err != nil {
				return nil, err
			}
			b = append(b, `,"result":`...)
			b = appendJSONString(b, a.Result)
			if a.Error != "" {
				b = append(b, `,"error":`...)
				b = appendJSONString(b, a.Error)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_at":`...)
	if b, err = appendJSONTime(b, m.NextAt); err != nil {
		return nil, err
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, m.CreatedAt); err != nil {
		return nil, err
	}
	if !m.SentAt.IsZero() {
		b = append(b, `,"sent_at":`...)
		if b, err = appendJSONTime(b, m.SentAt); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendAddress(b []byte, a cardbot.Address) []byte {
	b = append(b, `{"channel":`...)
	b = appendJSONString(b, a.Channel)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, a.ID)
	return append(b, '}')
}

// appendButtons appends one row of buttons; a nil row is null, as encoding/json writes it.
func appendButtons(b []byte, row []cardbot.Button) []byte {
	if row == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, btn := range row {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"text":`...)
		b = appendJSONString(b, btn.Text)
		if btn.Data != "" {
			b = append(b, `,"data":`...)
			b = appendJSONString(b, btn.Data)
		}
		if btn.URL != "" {
			b = append(b, `,"url":`...)
			b = appendJSONString(b, btn.URL)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONTime appends at as time.Time's MarshalJSON writes it (RFC 3339 with nanoseconds, refusing
// years outside 0–9999 as it does).
func appendJSONTime(b []byte, at time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := at.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes a string by default: ", \ and control
// bytes escaped (\b \f \n \r \t by name), <, > and & as \u003c and so on, invalid UTF-8 as \ufffd,
// and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
