// Package cardimage draws loyalty cards as pictures: the card image sent in the chat and shown on the
// card page, and plain QR codes (PNG for screens, SVG for print).
package cardimage

import (
	"image"
	"image/color"
	"strings"
	"sync"

	"cardbot"
)

// Face is what a card picture shows. Every text is optional; long ones are shortened with "…".
type Face struct {
	Business string     // "Кофейня «Зерно»"
	Program  string     // programme name
	Number   string     // card number; shown in groups of four
	Balance  string     // already formatted, e.g. "150 баллов", "4 из 6 штампов"
	Tier     string     // optional; shown as a badge
	QR       string     // what the QR encodes (the card page link or the number); empty: the Number
	Color    color.RGBA // accent colour; zero → a deep blue; an alpha of 0 is read as opaque
}

// The card is 1000×630, close to the 1.586 ratio of a bank card (ID-1): the shape people read as a
// card, and large enough for a sharp QR.
const (
	Width  = 1000
	Height = 630

	cornerRadius = 40
	pad          = 64  // margin from the card edge to everything on it
	qrBlockSide  = 340 // white square holding the QR with its quiet zone
	qrBlockR     = 24
	columnGap    = 48  // between the text column and the QR block
	minModulePx  = 2   // smaller modules do not survive a photo of a screen
	qrQuietZone  = 4   // modules of white around a QR, as the standard asks
	badgeMaxW    = 300 // the tier badge never takes more of the top line than this
)

// Render draws the card and returns it as a PNG of Width×Height with transparent rounded corners.
// The QR block is left out when both QR and Number are empty. Render fails, with a cardbot.Invalid
// error, when the QR content is too long to fit the card.
func Render(f Face) ([]byte, error) {
	fonts, err := loadFonts()
	if err != nil {
		return nil, err
	}
	content := f.QR
	if content == "" {
		content = strings.TrimSpace(f.Number)
	}
	var code *qrMatrix
	if content != "" {
		if code, err = encodeQR(content); err != nil {
			return nil, err
		}
		if qrBlockSide/(code.n+2*qrQuietZone) < minModulePx {
			return nil, cardbot.Errorf(cardbot.Invalid, "the QR content is too long for the card")
		}
	}
	accent := accentOf(f.Color)
	t := templates.get(staticKey{accent: accent, business: f.Business, program: f.Program, tier: f.Tier, withQR: code != nil}, fonts)
	buf := bandBuffers.Get().(*[]byte)
	defer bandBuffers.Put(buf)
	if n := (t.bandBot - t.bandTop) * (Width + 1); cap(*buf) < n {
		*buf = make([]byte, n)
	} else {
		*buf = (*buf)[:n]
	}
	bd := &band{t: t, raw: *buf, drawn: newDrawn(t.bandBot - t.bandTop)}
	for y := t.bandTop; y < t.bandBot; y++ {
		copy(bd.raw[bd.at(0, y):bd.at(Width, y)], t.pix[y*Width:(y+1)*Width])
	}
	if code != nil {
		bd.drawQR(code)
	}
	lines := ownLines(fonts, f, code != nil)
	for i, l := range lines {
		bd.clip = t.lineBoxes[i] // the template encoded everything outside them once
		bd.drawLine(l)
	}
	texts := [2]string{lines[0].key(), lines[1].key()}
	return t.png.encode(bd.raw, func(dst []byte) ([]byte, uint32) { return t.code.encode(dst, bd.raw, bd.drawn, texts) }), nil
}

// bandBuffers keeps the raw rows of card bands (about 360 KB each) for reuse. Every row is as wide in
// every template, so the filter bytes sit at the same offsets and stay zero; the pixels are all
// copied from the template before a card draws on them.
var bandBuffers = sync.Pool{New: func() any { return new([]byte) }}

// QRArea is where the QR code sits on a rendered card: a reader (a till's scanner, a test) that
// looks only there is not misled by the card's other shapes.
func QRArea() image.Rectangle { return qrBlock() }

// qrBlock is where the white QR square sits: bottom right, level with the card number.
func qrBlock() image.Rectangle {
	x, y := Width-pad-qrBlockSide, Height-pad-qrBlockSide
	return image.Rect(x, y, x+qrBlockSide, y+qrBlockSide)
}

// accentOf applies the defaults of Face.Color.
func accentOf(c color.RGBA) color.RGBA {
	if c == (color.RGBA{}) {
		return color.RGBA{R: 0x2B, G: 0x4C, B: 0xC4, A: 0xFF} // keeps white text readable
	}
	c.A = 0xFF // the card is never see-through; a forgotten alpha must not make it so
	return c
}
