package admin

import (
	"strings"

	"cardbot"
	"cardbot/flows"

	"github.com/gofiber/fiber/v2"
)

// maxText bounds one customer text: Telegram allows 4096 characters in a message.
const maxText = 4096

type textRow struct {
	Name   string
	Source string // builtin, config (config.yaml texts:), admin (stored here)
	Text   string
}

type messagesData struct {
	Texts         []textRow
	OptOut, Total int
}

type textData struct {
	Name    string
	Source  string
	Text    string
	Default string
	Preview string
	Error   string // what is wrong with the template, beside the preview
	Refused string // why the text was not saved
}

// textSource says where the text in force comes from.
func (p *Page) textSource(o overrides, name string) (string, string) {
	if t, ok := o.Texts[name]; ok {
		return "admin", t
	}
	if t, ok := p.cfg().Texts[name]; ok {
		return "config", t
	}
	return "builtin", flows.DefaultText(p.cfg().Locale, name)
}

func (p *Page) messages(c *fiber.Ctx) error {
	o, err := p.loadOverrides(c.UserContext())
	if err != nil {
		return err
	}
	if _, err := p.cardCounts(c.UserContext()); err != nil {
		return err
	}
	p.counts.mu.Lock()
	d := messagesData{OptOut: p.counts.optOut, Total: p.counts.total}
	p.counts.mu.Unlock()
	for _, name := range flows.TextNames() {
		src, text := p.textSource(o, name)
		d.Texts = append(d.Texts, textRow{Name: name, Source: src, Text: text})
	}
	return p.renderSaved(c, "messages", "Messages", d)
}

func knownText(name string) bool {
	for _, n := range flows.TextNames() {
		if n == name {
			return true
		}
	}
	return false
}

// textParams reads the text's name from the path and the stored overrides; ok is false (and the
// answer sent) when there is no such text.
func (p *Page) textParams(c *fiber.Ctx) (name string, o overrides, ok bool, err error) {
	name = c.Params("name")
	if !knownText(name) {
		return name, o, false, p.notFound(c)
	}
	o, err = p.loadOverrides(c.UserContext())
	return name, o, err == nil, err
}

func (p *Page) editText(c *fiber.Ctx) error {
	name, o, ok, err := p.textParams(c)
	if !ok {
		return err
	}
	src, text := p.textSource(o, name)
	d := textData{Name: name, Source: src, Text: text, Default: flows.DefaultText(p.cfg().Locale, name)}
	d.Preview, d.Error = p.preview(o, name, text)
	return p.render(c, "message", name, d)
}

// preview renders text as the text name with the real template code and sample data, over the
// texts in force.
func (p *Page) preview(o overrides, name, text string) (string, string) {
	texts := p.effective(o).Texts
	texts[name] = text
	out, err := flows.PreviewText(p.cfg(), texts, name)
	if err != nil {
		return "", cardbot.MessageOf(err)
	}
	return out, ""
}

func (p *Page) previewText(c *fiber.Ctx) error {
	name, o, ok, err := p.textParams(c)
	if !ok {
		return err
	}
	text := c.FormValue("text")
	d := textData{Name: name, Text: text}
	if len(text) > maxText*4 {
		d.Error = "The text is too long."
	} else {
		d.Preview, d.Error = p.preview(o, name, text)
	}
	return p.fragment(c, "message", "preview", d)
}

func (p *Page) saveText(c *fiber.Ctx) error {
	name := c.Params("name")
	if !knownText(name) {
		return p.notFound(c)
	}
	text := strings.ReplaceAll(c.FormValue("text"), "\r\n", "\n")
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		if len([]rune(text)) > maxText {
			return cardbot.Errorf(cardbot.Invalid, "a text is limited to %d characters", maxText)
		}
		if o.Texts == nil {
			o.Texts = map[string]string{}
		}
		o.Texts[name] = text
		return nil
	})
	return p.textSaved(c, name, text, err)
}

func (p *Page) resetText(c *fiber.Ctx) error {
	name := c.Params("name")
	if !knownText(name) {
		return p.notFound(c)
	}
	err := p.changeOverrides(c.UserContext(), func(_ cardbot.Tx, o *overrides) error {
		delete(o.Texts, name)
		return nil
	})
	return p.textSaved(c, name, "", err)
}

func (p *Page) textSaved(c *fiber.Ctx, name, text string, err error) error {
	msg, err := refused(err)
	if err != nil {
		return err
	}
	if msg != "" {
		o, err := p.loadOverrides(c.UserContext())
		if err != nil {
			return err
		}
		src, _ := p.textSource(o, name)
		c.Status(fiber.StatusBadRequest)
		d := textData{Name: name, Source: src, Text: text, Default: flows.DefaultText(p.cfg().Locale, name), Refused: msg}
		d.Preview, d.Error = p.preview(o, name, text)
		return p.render(c, "message", name, d)
	}
	p.log().Info("admin: customer text saved", "text", name, "user", whoOf(c).name)
	return c.Redirect("/admin/messages?done=1#text-"+name, fiber.StatusSeeOther)
}
