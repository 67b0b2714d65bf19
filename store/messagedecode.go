package store

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"cardbot"
)

// decodeMessageRecord reads a stored outbox row into m (which must be zero) without reflection. It
// reads the rows as appendMessageRecord and encoding/json write them: the known keys spelt exactly,
// no spaces, strings with the usual escapes. Anything else (an unknown or repeated key, a null, a
// surrogate escape, invalid UTF-8, a number that is not a plain unsigned integer, bad JSON) makes it
// report false, and the caller then decodes with encoding/json, which decides how such input reads
// or why it does not. When it reports true, m is what encoding/json would have decoded (a fuzz test
// holds the two to that).
func decodeMessageRecord(raw []byte, m *cardbot.Message) bool {
	p := rowParser{b: raw}
	var seen uint32
	ok := p.object(func(key []byte) bool {
		bit, known := messageKeys[string(key)]
		if !known || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch bit {
		case rowV:
			v, ok := p.uint()
			return ok && v <= math.MaxInt // messageRecord.V is an int: encoding/json refuses more
		case rowID:
			return p.uintTo(&m.ID)
		case rowClientID:
			return p.uintTo(&m.ClientID)
		case rowKind:
			s, ok := p.str()
			m.Kind = cardbot.MessageKind(s)
			return ok
		case rowTo:
			a := new(cardbot.Address)
			m.To = a
			return p.address(a)
		case rowText:
			return p.strTo(&m.Text)
		case rowCardID:
			return p.uintTo(&m.CardID)
		case rowButtons:
			return p.buttons(m)
		case rowAskPhone:
			return p.boolTo(&m.AskPhone)
		case rowBroadcast:
			return p.uintTo(&m.Broadcast)
		case rowImage:
			return p.strTo(&m.Image)
		case rowEvent:
			return p.strTo(&m.Event)
		case rowStatus:
			s, ok := p.str()
			m.Status = cardbot.MessageStatus(s)
			return ok
		case rowAttempts:
			return p.attempts(m)
		case rowNextAt:
			return p.timeTo(&m.NextAt)
		case rowCreatedAt:
			return p.timeTo(&m.CreatedAt)
		case rowSentAt:
			return p.timeTo(&m.SentAt)
		}
		return false
	})
	return ok && p.i == len(p.b)
}

// The keys of a stored row, one bit each.
const (
	rowV uint32 = 1 << iota
	rowID
	rowClientID
	rowKind
	rowTo
	rowText
	rowCardID
	rowButtons
	rowAskPhone
	rowBroadcast
	rowImage
	rowEvent
	rowStatus
	rowAttempts
	rowNextAt
	rowCreatedAt
	rowSentAt
)

var messageKeys = map[string]uint32{
	"v": rowV, "id": rowID, "client_id": rowClientID, "kind": rowKind, "to": rowTo, "text": rowText,
	"card_id": rowCardID, "buttons": rowButtons, "ask_phone": rowAskPhone, "broadcast": rowBroadcast,
	"image": rowImage, "event": rowEvent, "status": rowStatus, "attempts": rowAttempts, "next_at": rowNextAt,
	"created_at": rowCreatedAt, "sent_at": rowSentAt,
}

// rowParser reads JSON of a known shape; every method reports false on anything it does not expect.
type rowParser struct {
	b []byte
	i int
}

func (p *rowParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *rowParser) peek(c byte) bool { return p.i < len(p.b) && p.b[p.i] == c }

// object reads {"key":value,...}, calling field for each key with the parser at its value.
func (p *rowParser) object(field func(key []byte) bool) bool {
	if !p.eat('{') {
		return false
	}
	if p.eat('}') {
		return true
	}
	for {
		key, ok := p.plainString()
		if !ok || !p.eat(':') || !field(key) {
			return false
		}
		if p.eat('}') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// array reads [value,...], calling elem for each value with the parser at it.
func (p *rowParser) array(elem func() bool) bool {
	if !p.eat('[') {
		return false
	}
	if p.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if p.eat(']') {
			return true
		}
		if !p.eat(',') {
			return false
		}
	}
}

// plainString reads a string without escapes and returns its bytes, aliasing the input (keys and
// time literals: compared or parsed, never kept).
func (p *rowParser) plainString() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// str reads a string, unescaping \" \\ \/ \b \f \n \r \t and \u escapes of the Basic Multilingual
// Plane outside the surrogates. Raw control bytes and invalid UTF-8 are refused.
func (p *rowParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.b[start:p.i]
			p.i++
			if !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		}
		if c == '\\' {
			return p.escaped(start)
		}
		if c < 0x20 {
			return "", false
		}
		p.i++
	}
	return "", false
}

// escaped finishes a string that started at start and has an escape at p.i.
func (p *rowParser) escaped(start int) (string, bool) {
	end := p.i // the closing quote, to size the result: the unescaped string is no longer than this
	for end < len(p.b) && p.b[end] != '"' {
		if p.b[end] == '\\' {
			end++
		}
		end++
	}
	out := make([]byte, 0, min(end, len(p.b))-start)
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if p.i+4 > len(p.b) {
				return "", false
			}
			r, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
			if err != nil || (r >= 0xd800 && r < 0xe000) {
				return "", false
			}
			p.i += 4
			out = utf8.AppendRune(out, rune(r))
		default:
			return "", false
		}
	}
	return "", false
}

func (p *rowParser) strTo(s *string) bool {
	v, ok := p.str()
	*s = v
	return ok
}

// uint reads a JSON number that is a plain unsigned integer fitting in 64 bits.
func (p *rowParser) uint() (uint64, bool) {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	digits := p.b[start:p.i]
	if len(digits) == 0 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return 0, false
	}
	n, err := strconv.ParseUint(string(digits), 10, 64)
	return n, err == nil
}

func (p *rowParser) uintTo(n *uint64) bool {
	v, ok := p.uint()
	*n = v
	return ok
}

func (p *rowParser) boolTo(v *bool) bool {
	switch {
	case p.i+4 <= len(p.b) && string(p.b[p.i:p.i+4]) == "true":
		p.i += 4
		*v = true
	case p.i+5 <= len(p.b) && string(p.b[p.i:p.i+5]) == "false":
		p.i += 5
		*v = false
	default:
		return false
	}
	return true
}

// timeTo reads a time as encoding/json does: the quoted literal handed to time.Time's UnmarshalJSON.
func (p *rowParser) timeTo(t *time.Time) bool {
	start := p.i
	if _, ok := p.plainString(); !ok {
		return false
	}
	return t.UnmarshalJSON(p.b[start:p.i]) == nil
}

func (p *rowParser) address(a *cardbot.Address) bool {
	var seen [2]bool
	return p.object(func(key []byte) bool {
		switch {
		case string(key) == "channel" && !seen[0]:
			seen[0] = true
			return p.strTo(&a.Channel)
		case string(key) == "id" && !seen[1]:
			seen[1] = true
			return p.strTo(&a.ID)
		}
		return false
	})
}

func (p *rowParser) buttons(m *cardbot.Message) bool {
	m.Buttons = [][]cardbot.Button{}
	return p.array(func() bool {
		row := []cardbot.Button{}
		ok := p.array(func() bool {
			var b cardbot.Button
			var seen [3]bool
			ok := p.object(func(key []byte) bool {
				switch {
				case string(key) == "text" && !seen[0]:
					seen[0] = true
					return p.strTo(&b.Text)
				case string(key) == "data" && !seen[1]:
					seen[1] = true
					return p.strTo(&b.Data)
				case string(key) == "url" && !seen[2]:
					seen[2] = true
					return p.strTo(&b.URL)
				}
				return false
			})
			row = append(row, b)
			return ok
		})
		m.Buttons = append(m.Buttons, row)
		return ok
	})
}

func (p *rowParser) attempts(m *cardbot.Message) bool {
	m.Attempts = []cardbot.Attempt{}
	return p.array(func() bool {
		var a cardbot.Attempt
		var seen [4]bool
		ok := p.object(func(key []byte) bool {
			switch {
			case string(key) == "channel" && !seen[0]:
				seen[0] = true
				return p.strTo(&a.Channel)
			case string(key) == "at" && !seen[1]:
				seen[1] = true
				return p.timeTo(&a.At)
			case string(key) == "result" && !seen[2]:
				seen[2] = true
				return p.strTo(&a.Result)
			case string(key) == "error" && !seen[3]:
				seen[3] = true
				return p.strTo(&a.Error)
			}
			return false
		})
		m.Attempts = append(m.Attempts, a)
		return ok
	})
}
