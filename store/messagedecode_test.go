package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"cardbot"
)

// sameValue compares two decoded values field by field; times are the same when they are the same
// instant in the same zone, as two parses of one literal are.
func sameValue(a, b reflect.Value) bool {
	if a.Type() == reflect.TypeFor[time.Time]() {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		return ta.Equal(tb) && oa == ob && ta.Location().String() == tb.Location().String()
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Interface() == b.Interface()
}

// decodeBoth decodes raw both ways; fast reports whether the fast path took it, and a fast decode must
// agree with encoding/json.
func decodeBoth(t *testing.T, raw []byte) (fast bool) {
	t.Helper()
	var got cardbot.Message
	if !decodeMessageRecord(raw, &got) {
		return false
	}
	rec := messageRecord{Message: new(cardbot.Message)}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatalf("read %s, which encoding/json refuses: %v", raw, err)
	}
	if !sameValue(reflect.ValueOf(got), reflect.ValueOf(*rec.Message)) {
		t.Fatalf("read %s as\n%#v\nencoding/json reads\n%#v", raw, got, *rec.Message)
	}
	return true
}

func sampleRows(t *testing.T) []*cardbot.Message {
	var rows []*cardbot.Message
	for _, s := range awkwardTexts {
		rows = append(rows, &cardbot.Message{ID: 1, Text: s, Event: s, Kind: cardbot.MessageKind(s),
			To: &cardbot.Address{Channel: s, ID: s}, Buttons: [][]cardbot.Button{{{Text: s, Data: s, URL: s}}, {}},
			Attempts: []cardbot.Attempt{{Channel: s, Error: s, At: testTime}}, NextAt: testTime})
	}
	var full cardbot.Message
	fillAll(t, reflect.ValueOf(&full).Elem(), 1)
	odd := time.Date(1890, 5, 1, 10, 0, 0, 123456789, time.FixedZone("LMT", 2*3600+30*60+17))
	return append(rows, &full, &cardbot.Message{}, &cardbot.Message{ID: 2, NextAt: odd, SentAt: odd.Local()})
}

func TestStoredRowsAreReadWithoutReflectionAsEncodingJSONReadsThem(t *testing.T) {
	for _, m := range sampleRows(t) {
		raw, err := appendMessageRecord(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if !decodeBoth(t, raw) {
			t.Fatalf("the fast path did not take a row we wrote: %s", raw)
		}
	}
	// What the fast path leaves to encoding/json.
	for _, raw := range []string{
		`{"v":1,"id":1,"text":null}`, `{"v":1, "id":1}`, `{"v":1,"id":1,"Text":"x"}`, `{"v":1,"id":1,"id":2}`,
		`{"v":1,"id":1,"extra":true}`, `{"v":1,"id":1.0}`, `{"v":-1,"id":1}`, `{"v":1,"text":"\ud83c\udf89"}`,
		`{"v":1,"text":"bad ` + "\xff" + `"}`, `{"v":1,"buttons":[null]}`, `{"v":1,"to":{"channel":"t","ID":"1"}}`,
		`{"v":1,"next_at":"2025-13-01T00:00:00Z"}`, `{"v":1,"id":1} `, `{"v":1,"id":01}`,
		`{"v":18446744073709551615,"id":1}`,
	} {
		if decodeBoth(t, []byte(raw)) {
			t.Errorf("the fast path took %s", raw)
		}
	}
}

func FuzzStoredRowDecode(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":3,"text":"a\n\u003cb\u003e \u2028 \/ \"q\"","buttons":[[],[{"text":"x","url":"u"}]],"attempts":[]}`))
	for _, m := range sampleRows(&testing.T{}) {
		raw, err := appendMessageRecord(nil, m)
		if err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) { decodeBoth(t, raw) })
}
