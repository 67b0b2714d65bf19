package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"cardbot"
)

var awkwardTexts = []string{
	"", "plain", "Привет, Анна!\nВаша карта: 1000-0001 <b>&</b>", `quote " and \ backslash`,
	"\b\f\n\r\t\x00\x01\x1f\x7f", "line\u2028para\u2029end", "bad \xff\xfe utf8 \xe2\x82", "emoji 🎉 and ё",
	"<script>alert('x')</script>", "tab\tand\u00a0nbsp", string([]byte{0xed, 0xa0, 0x80}), // a surrogate half
}

// wantSameJSON checks appendMessageRecord against encoding/json on m.
func wantSameJSON(t *testing.T, m *cardbot.Message) {
	t.Helper()
	want, wantErr := json.Marshal(messageRecord{V: recordVersion, Message: m})
	got, err := appendMessageRecord(nil, m)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, encoding/json's %v", err, wantErr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wrote\n%s\nencoding/json writes\n%s", got, want)
	}
}

func TestOutboxRowsAreWrittenByteForByteAsEncodingJSONWritesThem(t *testing.T) {
	for c := range 256 { // every single byte
		s := string([]byte{byte(c)})
		got, want := appendJSONString(nil, s), must(json.Marshal(s))
		if !bytes.Equal(got, want) {
			t.Fatalf("byte %#x: %s, want %s", c, got, want)
		}
	}
	for _, s := range awkwardTexts {
		wantSameJSON(t, &cardbot.Message{ID: 1, Text: s, Event: s, Image: s, Kind: cardbot.MessageKind(s),
			To: &cardbot.Address{Channel: s, ID: s}, Buttons: [][]cardbot.Button{{{Text: s, Data: s, URL: s}}}})
	}
	wantSameJSON(t, &cardbot.Message{})
	wantSameJSON(t, &cardbot.Message{ID: 7, Buttons: [][]cardbot.Button{nil, {}, {{Text: "a"}}}, Attempts: []cardbot.Attempt{}})
	odd := time.Date(1890, 5, 1, 10, 0, 0, 123456789, time.FixedZone("LMT", 2*3600+30*60+17))
	wantSameJSON(t, &cardbot.Message{ID: 8, NextAt: odd, CreatedAt: odd.UTC(), SentAt: odd,
		Attempts: []cardbot.Attempt{{At: odd}, {Channel: "sms", Result: "failed", Error: "x", At: time.Now()}}})
	wantSameJSON(t, &cardbot.Message{ID: 9, NextAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}) // both refuse
	wantSameJSON(t, &cardbot.Message{ID: 10, Attempts: []cardbot.Attempt{{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}})

	// Every field of the row set, found by reflection: a field added to cardbot.Message (or Button,
	// Attempt, Address) and not to appendMessageRecord fails here.
	var full cardbot.Message
	fillAll(t, reflect.ValueOf(&full).Elem(), 1)
	wantSameJSON(t, &full)
}

// fillAll sets every field of v to a non-zero value, lists and pointers included.
func fillAll(t *testing.T, v reflect.Value, n int) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2025, 3, 15, 12, 30, n, n*1000, time.FixedZone("", 3*3600))))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fillAll(t, v.Field(i), n+i)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillAll(t, v.Index(i), n+i)
		}
	case reflect.String:
		v.SetString(strings.Repeat("x<\n", n%3+1) + "ё")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(n + 1))
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		v.SetUint(uint64(n + 1))
	default:
		t.Fatalf("fillAll: no value for a %s", v.Type())
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzOutboxRowJSON(f *testing.F) {
	for _, s := range awkwardTexts {
		f.Add(s, s, uint64(3), int64(0))
	}
	f.Fuzz(func(t *testing.T, text, event string, id uint64, nanos int64) {
		at := time.Unix(0, nanos)
		wantSameJSON(t, &cardbot.Message{ID: id, ClientID: id / 2, Text: text, Event: event, NextAt: at, SentAt: at,
			Buttons: [][]cardbot.Button{{{Text: text, Data: event}}}, Attempts: []cardbot.Attempt{{Error: text, At: at}}})
	})
}
