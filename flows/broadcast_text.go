package flows

import (
	"bytes"
	"image"
	_ "image/gif"  // uploads may be GIF
	_ "image/jpeg" // uploads may be JPEG
	"image/png"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"cardbot"
)

// Limits of a broadcast message: Telegram's caption under a picture is 1,024 characters, a text 4,096.
const (
	maxBroadcastText    = 4096
	maxBroadcastCaption = 1024
	maxImageBytes       = 10 << 20
	maxImageSide        = 4096
)

// recipientText is what a broadcast text can say about its recipient.
type recipientText struct {
	Name    string // the client's name as they gave it
	Balance string // the card balance in its unit: 150.5, 4
	Card    string // the card number
	Program string // the programme's name
	Tier    string
}

// validate checks everything a broadcast needs before it can be saved.
func (b *Broadcasts) validate(s cardbot.BroadcastSpec, now time.Time) error {
	if strings.TrimSpace(s.Text) == "" {
		return cardbot.Errorf(cardbot.Invalid, "the broadcast needs a text")
	}
	limit := maxBroadcastText
	switch s.Picture {
	case cardbot.PictureNone:
	case cardbot.PictureCard, cardbot.PictureImage:
		limit = maxBroadcastCaption
	default:
		return cardbot.Errorf(cardbot.Invalid, "picture must be empty, %q or %q, not %q", cardbot.PictureCard, cardbot.PictureImage, s.Picture)
	}
	tmpl, err := parseBroadcastText(s.Text)
	if err != nil {
		return err
	}
	sample, err := renderBroadcast(tmpl, recipientText{Name: "Анна Каренина", Balance: "1250.5", Card: "1234 5678", Program: "Бонусная карта", Tier: "Gold"})
	if err != nil {
		return err
	}
	if n := utf8.RuneCountInString(sample); n > limit {
		return cardbot.Errorf(cardbot.Invalid, "the text is %d characters long; at most %d fit (%d under a picture)", n, limit, maxBroadcastCaption)
	}
	if s.Button != nil {
		if err := validButton(*s.Button); err != nil {
			return err
		}
	}
	if !s.ScheduledAt.IsZero() && !s.ScheduledAt.After(now) {
		return cardbot.Errorf(cardbot.Invalid, "the scheduled time %s has passed", s.ScheduledAt.Format(time.RFC3339))
	}
	return b.validSegment(s.Segment)
}

func validButton(bt cardbot.Button) error {
	if t := strings.TrimSpace(bt.Text); t == "" || utf8.RuneCountInString(t) > 64 {
		return cardbot.Errorf(cardbot.Invalid, "the button needs a text of 1 to 64 characters")
	}
	u, err := url.Parse(bt.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return cardbot.Errorf(cardbot.Invalid, "the button link %q is not an http(s) address", bt.URL)
	}
	if bt.Data != "" {
		return cardbot.Errorf(cardbot.Invalid, "a broadcast button opens a link; it carries no data")
	}
	return nil
}

func (b *Broadcasts) validSegment(s cardbot.Segment) error {
	for _, id := range s.Programs {
		if cardbot.ProgramByID(b.opt.Programs(), id) == nil {
			return cardbot.Errorf(cardbot.Invalid, "segment: there is no programme %q", id)
		}
	}
	for _, t := range s.Types {
		if !slices.Contains(cardbot.ProgramTypes, t) {
			return cardbot.Errorf(cardbot.Invalid, "segment: %q is not a programme type", t)
		}
	}
	if s.BalanceMin != nil && s.BalanceMax != nil && *s.BalanceMin > *s.BalanceMax {
		return cardbot.Errorf(cardbot.Invalid, "segment: the lowest balance is above the highest")
	}
	if !s.LastOperationFrom.IsZero() && !s.LastOperationTo.IsZero() && !s.LastOperationFrom.Before(s.LastOperationTo) {
		return cardbot.Errorf(cardbot.Invalid, "segment: the last-operation period ends before it begins")
	}
	for _, m := range s.BirthdayMonths {
		if m < time.January || m > time.December {
			return cardbot.Errorf(cardbot.Invalid, "segment: %d is not a month", m)
		}
	}
	return nil
}

func parseBroadcastText(text string) (*template.Template, error) {
	t, err := template.New("broadcast").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "the text is not a valid template: %v", err)
	}
	return t, nil
}

func renderBroadcast(t *template.Template, d recipientText) (string, error) {
	var buf strings.Builder
	if err := t.Execute(&buf, d); err != nil {
		return "", cardbot.Errorf(cardbot.Invalid, "the text cannot be filled in: %v (use {{.Name}}, {{.Balance}}, {{.Card}}, {{.Program}}, {{.Tier}})", err)
	}
	return buf.String(), nil
}

// textFor fills the text in for one client and their card (nil when they have none).
func (b *Broadcasts) textFor(c *cardbot.Client, card *cardbot.Card) recipientText {
	d := recipientText{Name: c.Name}
	if card != nil {
		d.Card, d.Tier, d.Program = card.Number, card.Tier, card.ProgramID
		d.Balance = card.Type.Unit().Number(card.Balance)
		if p := cardbot.ProgramByID(b.opt.Programs(), card.ProgramID); p != nil {
			d.Program = p.Name
		}
	}
	return d
}

// toPNG checks an uploaded picture and re-encodes it as PNG, the form every channel adapter sends.
func toPNG(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, cardbot.Errorf(cardbot.Invalid, "the picture is empty")
	}
	if len(data) > maxImageBytes {
		return nil, cardbot.Errorf(cardbot.Invalid, "the picture is %d bytes; at most 10 MB", len(data))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "the picture is not a PNG, JPEG or GIF image")
	}
	if cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return nil, cardbot.Errorf(cardbot.Invalid, "the picture is %d×%d; at most %d pixels a side", cfg.Width, cfg.Height, maxImageSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "the picture cannot be read: %v", err)
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
