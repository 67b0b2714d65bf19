package admin

import (
	"errors"
	"slices"
	"strings"
	"time"

	"cardbot"

	"github.com/gofiber/fiber/v2"
)

// sourced is a setting's value with where it comes from.
type sourced[T any] struct {
	Value  T
	Stored bool // set in the admin page; otherwise from config.yaml
	Config T    // what config.yaml says
}

type channelRow struct {
	Name   string
	Status ChannelStatus
}

type settingsData struct {
	Programs       []cardbot.Program
	DefaultProgram sourced[string]
	AutoIssue      sourced[bool]
	AskBirthday    sourced[bool]
	Cascade        sourced[[]string]
	Channels       []channelRow
	WhatsApp       whatsappData
	Error          string
	TestResult     string
}

type whatsappData struct {
	Status ChannelStatus
	QR     bool  // a pairing code is on: show the picture
	Stamp  int64 // changes with the code, so the browser reloads the picture
}

func (p *Page) settingsData(c *fiber.Ctx) (settingsData, error) {
	o, err := p.loadOverrides(c.UserContext())
	if err != nil {
		return settingsData{}, err
	}
	eff, conf := p.effective(o).Settings, p.cfg().Settings
	d := settingsData{
		Programs:       p.wallet().Programs(),
		DefaultProgram: sourced[string]{eff.DefaultProgram, o.DefaultProgram != nil, conf.DefaultProgram},
		AutoIssue:      sourced[bool]{eff.AutoIssue, o.AutoIssue != nil, conf.AutoIssue},
		AskBirthday:    sourced[bool]{eff.AskBirthday, o.AskBirthday != nil, conf.AskBirthday},
		Cascade:        sourced[[]string]{eff.Cascade, o.Cascade != nil, conf.Cascade},
		WhatsApp:       p.whatsappData(),
	}
	for _, ch := range cardbot.Channels {
		d.Channels = append(d.Channels, channelRow{Name: ch, Status: p.channelStatus(ch)})
	}
	return d, nil
}

func (p *Page) channelStatus(ch string) ChannelStatus {
	if p.channels == nil {
		return ChannelStatus{Detail: "off"}
	}
	return p.channels.Status(ch)
}

func (p *Page) whatsappData() whatsappData {
	s := p.channelStatus("whatsapp")
	return whatsappData{Status: s, QR: s.State == "pairing", Stamp: s.Since.UnixNano()}
}

func (p *Page) settings(c *fiber.Ctx) error {
	d, err := p.settingsData(c)
	if err != nil {
		return err
	}
	v := p.newView(c, "Settings", d)
	v.Flash = c.Query("saved")
	if v.Flash != "" {
		v.Flash = "Saved."
	}
	return p.renderView(c, "settings", "layout", v)
}

// settingsAgain shows the settings page with a message after a refused or tested change.
func (p *Page) settingsAgain(c *fiber.Ctx, problem, result string) error {
	d, err := p.settingsData(c)
	if err != nil {
		return err
	}
	d.Error, d.TestResult = problem, result
	if problem != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return p.render(c, "settings", "Settings", d)
}

// settingsSaved answers a settings change: back to the page, with the reason when it was refused.
func (p *Page) settingsSaved(c *fiber.Ctx, err error) error {
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		return p.settingsAgain(c, msg, "")
	}
	return c.Redirect("/admin/settings?saved=1", fiber.StatusSeeOther)
}

// overrideOf stores v as an override when it differs from config.yaml's value, and drops the
// override when it is the same: a value equal to the file's is shown as coming from the file.
func overrideOf[T comparable](v, config T) *T {
	if v == config {
		return nil
	}
	return &v
}

func (p *Page) saveSettings(c *fiber.Ctx) error {
	conf := p.cfg().Settings
	program := strings.TrimSpace(c.FormValue("default_program"))
	auto, ask := c.FormValue("auto_issue") == "on", c.FormValue("ask_birthday") == "on"
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		o.DefaultProgram = overrideOf(program, conf.DefaultProgram)
		o.AutoIssue = overrideOf(auto, conf.AutoIssue)
		o.AskBirthday = overrideOf(ask, conf.AskBirthday)
		return nil
	})
	return p.settingsSaved(c, err)
}

// resetSettings drops one override (field: default_program, auto_issue, ask_birthday, cascade), so
// config.yaml's value is in force again.
func (p *Page) resetSettings(c *fiber.Ctx) error {
	field := c.FormValue("field")
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		switch field {
		case "default_program":
			o.DefaultProgram = nil
		case "auto_issue":
			o.AutoIssue = nil
		case "ask_birthday":
			o.AskBirthday = nil
		case "cascade":
			o.Cascade = nil
		default:
			return cardbot.Errorf(cardbot.Invalid, "there is no setting %q", field)
		}
		return nil
	})
	return p.settingsSaved(c, err)
}

// moveCascade moves one channel up or down the cascade.
func (p *Page) moveCascade(c *fiber.Ctx) error {
	channel, dir := c.FormValue("channel"), c.FormValue("dir")
	conf := p.cfg().Settings.Cascade
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		order := slices.Clone(conf)
		if o.Cascade != nil {
			order = slices.Clone(o.Cascade)
		}
		i := slices.Index(order, channel)
		j := i - 1
		if dir == "down" {
			j = i + 1
		}
		if i < 0 || (dir != "up" && dir != "down") {
			return cardbot.Errorf(cardbot.Invalid, "%q is not in the cascade", channel)
		}
		if j < 0 || j >= len(order) {
			return nil // already first or last
		}
		order[i], order[j] = order[j], order[i]
		o.Cascade = order
		if slices.Equal(order, conf) {
			o.Cascade = nil
		}
		return nil
	})
	if c.Get("HX-Request") == "" || err != nil {
		return p.settingsSaved(c, err)
	}
	d, err := p.settingsData(c)
	if err != nil {
		return err
	}
	return p.fragment(c, "settings", "cascade", d)
}

// whatsappPanel is the WhatsApp block alone, which the page polls while it is open.
func (p *Page) whatsappPanel(c *fiber.Ctx) error {
	return p.fragment(c, "settings", "whatsapp", settingsData{WhatsApp: p.whatsappData()})
}

func (p *Page) whatsappQR(c *fiber.Ctx) error {
	if p.channels == nil {
		return p.fail(c, fiber.StatusNotFound, "WhatsApp is off.")
	}
	png, err := p.channels.WhatsAppQR()
	if err != nil {
		return p.fail(c, fiber.StatusNotFound, "There is no pairing code right now.")
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

func (p *Page) whatsappPair(c *fiber.Ctx) error {
	if p.channels == nil || !p.channels.Status("whatsapp").On {
		return p.settingsAgain(c, "WhatsApp is off: set whatsapp.enabled in config.yaml and restart.", "")
	}
	p.channels.WhatsAppPair()
	if c.Get("HX-Request") != "" {
		return p.whatsappPanel(c)
	}
	return c.Redirect("/admin/settings#whatsapp", fiber.StatusSeeOther)
}

func (p *Page) whatsappLogout(c *fiber.Ctx) error {
	if p.channels == nil || !p.channels.Status("whatsapp").On {
		return p.settingsAgain(c, "WhatsApp is off: set whatsapp.enabled in config.yaml and restart.", "")
	}
	if err := p.channels.WhatsAppLogout(c.UserContext()); err != nil {
		p.log().Warn("admin: whatsapp logout", "err", err)
		return p.settingsAgain(c, "WhatsApp did not log out: "+err.Error(), "")
	}
	p.log().Info("admin: whatsapp logged out", "user", whoOf(c).name)
	if c.Get("HX-Request") != "" {
		return p.whatsappPanel(c)
	}
	return c.Redirect("/admin/settings#whatsapp", fiber.StatusSeeOther)
}

// testSend sends a test message on SMS or email to the address the owner typed.
func (p *Page) testSend(c *fiber.Ctx) error {
	channel, to := c.FormValue("channel"), strings.TrimSpace(c.FormValue("to"))
	if channel != "sms" && channel != "email" {
		return p.settingsAgain(c, "Test sends go by SMS or email.", "")
	}
	if to == "" {
		return p.settingsAgain(c, "Type a phone number or an email address to send the test to.", "")
	}
	if channel == "sms" {
		phone, err := normalizePhone(to, p.cfg().Business.Country)
		if err != nil {
			return p.settingsAgain(c, cardbot.MessageOf(err), "")
		}
		to = phone
	}
	if p.channels == nil || !p.channels.Status(channel).On {
		return p.settingsAgain(c, channel+" is off: switch it on in config.yaml and restart.", "")
	}
	text := "cardbot: test message from " + p.cfg().Business.Name + " (" + p.now().In(p.loc()).Format(time.DateTime) + ")"
	if err := p.channels.TestSend(c.UserContext(), channel, to, text); err != nil {
		var se *cardbot.SendError
		reason := err.Error()
		if errors.As(err, &se) {
			reason = se.Reason
		}
		return p.settingsAgain(c, "", "Not sent: "+reason)
	}
	return p.settingsAgain(c, "", "Sent to "+to+".")
}
