package configfile

import (
	"reflect"
	"testing"

	"cardbot"
)

// Quiet hours and routes: settings.quiet_hours and settings.routes.

func TestQuietHoursAndRoutesParse(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		quiet  cardbot.QuietHours
		routes map[string][]string
	}{
		{"defaults", "", cardbot.QuietHours{Enabled: true, From: "21:00", To: "09:00"}, nil},
		{"unquoted times", "settings:\n  quiet_hours:\n    from: 22:30\n    to: 8:00\n",
			cardbot.QuietHours{Enabled: true, From: "22:30", To: "8:00"}, nil},
		{"only from", "settings:\n  quiet_hours: {from: \"20:00\"}\n",
			cardbot.QuietHours{Enabled: true, From: "20:00", To: "09:00"}, nil},
		{"a window inside a day", "settings:\n  quiet_hours: {from: \"13:00\", to: \"14:00\"}\n",
			cardbot.QuietHours{Enabled: true, From: "13:00", To: "14:00"}, nil},
		// Off, the times may be equal: nothing is held anyway.
		{"off", "settings:\n  quiet_hours: {enabled: false, from: \"00:00\", to: \"00:00\"}\n",
			cardbot.QuietHours{From: "00:00", To: "00:00"}, nil},
		{"routes", "settings:\n  routes:\n    code: [sms]\n    marketing: [telegram, whatsapp]\n    birthday_greeting: [whatsapp, telegram, email]\n",
			cardbot.QuietHours{Enabled: true, From: "21:00", To: "09:00"},
			map[string][]string{"code": {"sms"}, "marketing": {"telegram", "whatsapp"}, "birthday_greeting": {"whatsapp", "telegram", "email"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.src, nil).Settings
			if s.QuietHours != tt.quiet || !reflect.DeepEqual(s.Routes, tt.routes) {
				t.Fatalf("got %+v and %v, want %+v and %v", s.QuietHours, s.Routes, tt.quiet, tt.routes)
			}
		})
	}
}

func TestQuietHoursAndRoutesValidation(t *testing.T) {
	quiet := "settings:\n  quiet_hours:\n"
	routes := "settings:\n  routes:\n"
	tests := []oneProblem{
		{"hour past 23", quiet + "    from: \"24:00\"\n", "settings.quiet_hours.from", `like 21:00, not "24:00"`, 3},
		{"minute past 59", quiet + "    to: \"9:60\"\n", "settings.quiet_hours.to", `not "9:60"`, 3},
		{"no minutes", quiet + "    to: 9\n", "settings.quiet_hours.to", `not "9"`, 3},
		{"seconds", quiet + "    from: \"21:00:00\"\n", "settings.quiet_hours.from", `not "21:00:00"`, 3},
		{"a sign", quiet + "    from: \"+9:00\"\n", "settings.quiet_hours.from", `not "+9:00"`, 3},
		{"empty", quiet + "    from: \"\"\n", "settings.quiet_hours.from", `not ""`, 3},
		{"checked when off too", quiet + "    enabled: false\n    from: 9pm\n", "settings.quiet_hours.from", `not "9pm"`, 4},
		{"no window", quiet + "    from: \"09:00\"\n", "settings.quiet_hours.to", "leaves no quiet hours", 2},
		{"unknown channel", routes + "    code: [sms, fax]\n", "settings.routes.code[1]", `"fax" is not a channel`, 3},
		{"channel twice", routes + "    code:\n      - sms\n      - sms\n", "settings.routes.code[1]", `"sms" is listed twice`, 5},
		{"no channel", routes + "    code: []\n", "settings.routes.code", "must list at least one channel", 3},
		{"a channel, not a list", routes + "    code: sms\n", "settings.routes.code", "must be a list", 3},
		{"a route for replies", routes + "    reply: [sms]\n", "settings.routes.reply", "replies always go back", 3},
		{"a name that is no kind or event", routes + "    One-Time: [sms]\n", "settings.routes.One-Time", "is not a message kind or event", 3},
	}
	checkOneProblem(t, tests)
}

// Validate reports routes in the order of their names, so the same config always reads the same.
func TestRoutesValidate(t *testing.T) {
	cfg := defaults()
	cfg.Settings.Routes = map[string][]string{"marketing": {"telegram", "pigeon"}, "code": {}, "notice": {"email"}}
	err := Validate(cfg)
	want := "settings.routes.code: must list at least one channel: telegram, whatsapp, sms, email\n" +
		`settings.routes.marketing[1]: "pigeon" is not a channel; use telegram, whatsapp, sms, email`
	if err == nil || err.Error() != want {
		t.Fatalf("Validate\n got %v\nwant %s", err, want)
	}
}
