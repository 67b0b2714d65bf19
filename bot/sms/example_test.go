package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"cardbot"
	"cardbot/bot/sms"
)

// smsRU fakes the send method of SMS.ru's HTTP API as it answers with json=1: the top-level status
// is about the request, and each number gets its own status under "sms".
func smsRU() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/sms/send" || q.Get("api_id") != "test-key" || q.Get("json") != "1" {
			json.NewEncoder(w).Encode(map[string]any{"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"})
			return
		}
		to := q.Get("to")
		fmt.Printf("SMS.ru got to=%s msg=%q\n", to, q.Get("msg"))
		perNumber := map[string]any{"status": "OK", "status_code": 100, "sms_id": "000000-10000000"}
		if !strings.HasPrefix(to, "7") {
			perNumber = map[string]any{"status": "ERROR", "status_code": 202,
				"status_text": "Неправильно указан номер телефона получателя, либо на него нет маршрута"}
		}
		json.NewEncoder(w).Encode(map[string]any{
			"status": "OK", "status_code": 100, "balance": 4122.56,
			"sms": map[string]any{to: perNumber},
		})
	}))
}

// SMS.ru, configured as in the README. In config.yaml the key comes from the environment:
//
//	sms:
//	  enabled: true
//	  url: "https://sms.ru/sms/send?api_id=${SMSRU_KEY}&to={{.Digits}}&msg={{.Text | urlquery}}&json=1"
//	  success_json_path: "sms.{{.Digits}}.status"
//	  success_value: OK
func ExampleNew_smsRU() {
	fake := smsRU()
	defer fake.Close()

	cfg := cardbot.DefaultConfig().SMS
	cfg.Enabled = true
	cfg.URL = fake.URL + "/sms/send?api_id=test-key&to={{.Digits}}&msg={{.Text | urlquery}}&json=1"
	cfg.SuccessJSONPath = "sms.{{.Digits}}.status"
	cfg.SuccessValue = "OK"
	s, err := sms.New(cfg, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	err = s.Send(context.Background(), cardbot.Outgoing{To: "+79991234567", Text: "Начислено 50 бонусов"})
	fmt.Println("sent:", err == nil)

	// A number SMS.ru has no route to is a final failure here: the cascade moves on to email.
	err = s.Send(context.Background(), cardbot.Outgoing{To: "+15550100", Text: "Hello"})
	var se *cardbot.SendError
	fmt.Println("permanent:", errors.As(err, &se) && se.Permanent)
	// Output:
	// SMS.ru got to=79991234567 msg="Начислено 50 бонусов"
	// sent: true
	// SMS.ru got to=15550100 msg="Hello"
	// permanent: true
}
