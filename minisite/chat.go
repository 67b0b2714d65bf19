package minisite

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
)

type chatPageData struct {
	layoutData
	Start string // the start payload of the link that opened the chat (site_<id>, ref_<code>)
}

// chatPage is the web chat. With ?embed=1 it is the widget's frame: no header, and it may be framed
// by any site (the chat carries no secret of the owner's, and its session is the visitor's own).
func (s *Site) chatPage(c *fiber.Ctx) error {
	start := c.Query("start")
	if len(start) > 128 || strings.ContainsAny(start, "<>\"'") {
		start = ""
	}
	d := chatPageData{layoutData: s.layout(s.words.get("chat_title")), Start: start}
	d.Embed = c.Query("embed") != ""
	c.Set(fiber.HeaderCacheControl, "no-cache")
	err := s.render(c, fiber.StatusOK, "chat", d)
	if d.Embed {
		c.Response().Header.Del("X-Frame-Options")
		c.Set("Content-Security-Policy", "frame-ancestors *")
	}
	return err
}

// widget is the script owners paste on their own site: a chat button that opens the chat in a frame.
// It learns the chat's address from its own src, so the same snippet works wherever cardbot runs.
func (s *Site) widget(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set("Access-Control-Allow-Origin", "*")
	return c.Send(s.widgetJS)
}

// widgetScript is widget.js with the locale's labels of the button (the chat closed, and open)
// written in, once at start. json.Marshal quotes a label as a JavaScript string literal (with <, >
// and & escaped, so it is safe in any page).
func widgetScript(openLabel, closeLabel string) ([]byte, error) {
	data, err := fs.ReadFile(assets, "static/widget.js")
	if err != nil {
		return nil, err
	}
	for _, l := range []struct{ placeholder, label string }{{`"__LABEL__"`, openLabel}, {`"__CLOSE_LABEL__"`, closeLabel}} {
		quoted, err := json.Marshal(l.label)
		if err != nil {
			return nil, err
		}
		data = bytes.Replace(data, []byte(l.placeholder), quoted, 1)
	}
	return data, nil
}
