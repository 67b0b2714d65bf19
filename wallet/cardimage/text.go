package cardimage

import (
	"image"
	"image/color"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"cardbot"
)

// fontSet holds the parsed Go fonts (they cover Latin, Cyrillic and Greek). Parsing takes
// milliseconds, so it is done once; the fonts are immutable and safe to share between goroutines,
// while faces, which are not, are made per Render.
type fontSet struct {
	bold, regular, mono *opentype.Font
}

var loadFonts = sync.OnceValues(func() (*fontSet, error) {
	var fs fontSet
	for _, f := range []struct {
		dst  **opentype.Font
		data []byte
	}{{&fs.bold, gobold.TTF}, {&fs.regular, goregular.TTF}, {&fs.mono, gomono.TTF}} {
		var err error
		if *f.dst, err = opentype.Parse(f.data); err != nil {
			return nil, err
		}
	}
	return &fs, nil
})

// Type sizes in pixels: the largest is tried first, shrinking to the smallest before "…" shortens a text.
const (
	businessSize, businessMin = 54, 38
	programSize, programMin   = 30, 24
	balanceSize, balanceMin   = 76, 44
	numberSize                = 38
	tierSize                  = 24
	ellipsis                  = "…"
)

// drawTopTexts draws what a card shares with every card of its programme: the tier badge, the
// business name and the programme. They span the card (the QR block sits lower).
func drawTopTexts(img *image.RGBA, fs *fontSet, th theme, f Face) {
	right := Width - pad
	if tier := strings.ToUpper(clean(fs.bold, f.Tier)); tier != "" {
		right = drawBadge(img, fs.bold, th, tier, right) - 28
	}
	face, s := fit(fs.bold, clean(fs.bold, f.Business), right-pad, businessSize, businessMin)
	y := pad + capHeight(face)
	drawString(img, face, s, pad, y, th.text)

	face, s = fit(fs.regular, clean(fs.regular, f.Program), right-pad, programSize, programMin)
	drawString(img, face, s, pad, y+22+capHeight(face), th.muted) // 22 px clears the name's descenders
}

// line is one text placed on the card.
type line struct {
	face    font.Face
	s       string
	x, base int
	muted   bool // drawn in the muted ink rather than the text ink
}

// key tells lines apart by what they draw: the text and its size (the place and ink are the line's).
func (l line) key() string {
	size := 0.0
	if f, ok := l.face.(*cachedFace); ok {
		size = f.size
	}
	return strconv.FormatFloat(size, 'g', -1, 64) + "\x00" + l.s
}

// ownLines lays out what is the card's own: the balance and, under it, the number. They keep left of
// the QR block.
func ownLines(fs *fontSet, f Face, withQR bool) [2]line {
	column := Width - pad
	if withQR {
		column = qrBlock().Min.X - columnGap
	}
	numberBase := Height - pad
	nf, ns := fit(fs.mono, cardbot.GroupNumber(clean(fs.mono, f.Number)), column-pad, numberSize, numberSize)
	bf, bs := fit(fs.bold, clean(fs.bold, f.Balance), column-pad, balanceSize, balanceMin)
	return [2]line{
		{face: bf, s: bs, x: pad, base: balanceBase}, // sits on the number with room for "у", "р"
		{face: nf, s: ns, x: pad, base: numberBase, muted: true},
	}
}

// lineBoxes are the boxes ownLines' texts may draw in, whatever they say: from the ascent to the
// descent of the largest face, and a little to either side of the column for overhanging glyphs.
// Render clips each line to its box, so a card changes nothing outside them and Render can encode
// the rest of the band once per template.
func lineBoxes(fs *fontSet, withQR bool) [2]image.Rectangle {
	column := Width - pad
	if withQR {
		column = qrBlock().Min.X - columnGap
	}
	box := func(fnt *opentype.Font, size float64, base int) image.Rectangle {
		m := newFace(fnt, size).Metrics()
		overhang := int(size / 6)
		return image.Rect(pad-overhang, base-m.Ascent.Ceil()-2, column+overhang, base+m.Descent.Ceil()+2)
	}
	return [2]image.Rectangle{
		box(fs.bold, balanceSize, balanceBase),
		box(fs.mono, numberSize, Height-pad),
	}
}

// balanceBase is the balance's baseline.
const balanceBase = Height - pad - numberSize - 44

// drawBadge draws the tier as a pill whose right edge is at right, level with the business name, and
// returns its left edge.
func drawBadge(img *image.RGBA, fnt *opentype.Font, th theme, tier string, right int) int {
	const h, padX = 48, 22
	face, s := fit(fnt, tier, badgeMaxW-2*padX, tierSize, tierSize)
	w := font.MeasureString(face, s).Ceil() + 2*padX
	top := pad + businessSize*7/20 - h/2 // centred on the capitals of the business name
	box := image.Rect(right-w, top, right, top+h)
	fillRoundRect(img, box, h/2, th.badge)
	drawString(img, face, s, box.Min.X+padX, top+(h+capHeight(face))/2, th.text)
	return box.Min.X
}

// fit returns the face of the largest size, from max down to min, at which s fits in width; at min
// it shortens s with "…" until it does.
func fit(fnt *opentype.Font, s string, width int, max, min float64) (font.Face, string) {
	var face font.Face
	for size := max; size >= min; size -= 2 {
		face = newFace(fnt, size)
		if font.MeasureString(face, s).Ceil() <= width {
			return face, s
		}
	}
	face = newFace(fnt, min)
	return face, shorten(face, s, width)
}

// shorten keeps the longest start of s that fits in width together with "…".
func shorten(face font.Face, s string, width int) string {
	r := []rune(s)
	fits := func(n int) bool {
		return font.MeasureString(face, strings.TrimRightFunc(string(r[:n]), unicode.IsSpace)+ellipsis).Ceil() <= width
	}
	lo, hi := 0, len(r) // fits(lo) is assumed: a lone "…" is narrower than any column
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRightFunc(string(r[:lo]), unicode.IsSpace) + ellipsis
}

func newFace(fnt *opentype.Font, size float64) font.Face {
	// NewFace fails only on options it is not given here.
	face, _ := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	return &cachedFace{Face: face, fnt: fnt, size: size}
}

// capHeight is the height of capital letters, used to place text by its visible top rather than by
// the font's ascent, which includes room for accents.
func capHeight(face font.Face) int {
	if h := face.Metrics().CapHeight.Round(); h > 0 {
		return h
	}
	return face.Metrics().Ascent.Round() * 7 / 10
}

func drawString(img *image.RGBA, face font.Face, s string, x, baseline int, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, baseline)}
	d.DrawString(s)
}

// clean makes a field printable: control characters and runs of blanks become one space, currency
// signs the Go fonts lack are spelt out, and other characters the font lacks (emoji, mostly) are
// dropped rather than drawn as empty boxes.
func clean(fnt *opentype.Font, s string) string {
	var buf sfnt.Buffer
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		text := string(r)
		if i, err := fnt.GlyphIndex(&buf, r); err != nil || i == 0 {
			if text = currencyWord(r); text == "" {
				continue
			}
			space = true // "150₽" reads "150 руб."
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		space = false
	}
	return b.String()
}

// currencyWord spells out the currency signs of the region that the Go fonts do not have; a balance
// of "150 ₽" must not lose its unit.
func currencyWord(r rune) string {
	switch r {
	case '₽':
		return "руб."
	case '₸':
		return "тг"
	case '₴':
		return "грн"
	}
	return ""
}
