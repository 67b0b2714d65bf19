package cardimage

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/math/fixed"
)

// staticKey is everything a card shares with the other cards of its programme.
type staticKey struct {
	accent                  color.RGBA
	business, program, tier string
	withQR                  bool
}

// template is a card without its own parts (balance, number, QR modules), already in palette form:
// drawn, quantized and, outside the band of rows the own parts use, deflated once. A first contact
// renders from it in a few milliseconds instead of painting and compressing the whole card.
type template struct {
	pal              []sample
	pix              []uint8 // Width×Height palette indices
	bandTop, bandBot int     // rows [bandTop, bandBot) hold the card's own parts
	png              *pngParts
	code             *bandCode          // deflates a card's band, the template's parts of it encoded once
	lineBoxes        [2]image.Rectangle // where the balance and the number may draw (ownLines' order)
	white, qrInk     uint8
	// blend[ink][i][l] is the entry closest to ink laid at coverage l/16 over entry i.
	blend [2][][17]uint8
}

// templates is bounded: a business has a few programmes and tiers, and a flood of odd faces must
// not grow it without end.
const maxTemplates = 32

type templateCache struct {
	mu sync.Mutex
	m  map[staticKey]*template
}

var templates = templateCache{m: map[staticKey]*template{}}

func (c *templateCache) get(k staticKey, fs *fontSet) *template {
	c.mu.Lock()
	t := c.m[k]
	c.mu.Unlock()
	if t != nil {
		return t
	}
	t = buildTemplate(k, fs) // two callers may both build it; both results are the same
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		return old
	}
	if len(c.m) >= maxTemplates {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = t
	return t
}

var (
	qrInkColour = sample{0x11, 0x11, 0x11, 0xFF}
	whiteColour = sample{0xFF, 0xFF, 0xFF, 0xFF}
	transparent = sample{0xFF, 0xFF, 0xFF, 0x00} // white, so a viewer that drops alpha shows white corners
)

func buildTemplate(k staticKey, fs *fontSet) *template {
	th := themeFor(k.accent)
	layer := image.NewRGBA(image.Rect(0, 0, Width, Height))
	paintBackground(layer, th)
	if k.withQR {
		fillRoundRect(layer, qrBlock(), qrBlockR, color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF})
	}
	card := &image.RGBA{Pix: append([]byte(nil), layer.Pix...), Stride: layer.Stride, Rect: layer.Rect}
	drawTopTexts(card, fs, th, Face{Business: k.business, Program: k.program, Tier: k.tier})
	bg, top := roundCorners(layer, cornerRadius), roundCorners(card, cornerRadius)

	// The background's own palette, from the background alone.
	seen := map[sample]int{}
	for i := 0; i < len(bg.Pix); i += 4 {
		seen[sample(bg.Pix[i:i+4])]++
	}
	pal := quantize(seen, []sample{transparent, whiteColour, qrInkColour}, bgColours)

	// Then the texts: the colours the top texts and badge made, and the ramps the balance and number
	// will make over the background under them.
	textSeen := map[sample]int{}
	for i := 0; i < len(top.Pix); i += 4 {
		if s := sample(top.Pix[i : i+4]); s != sample(bg.Pix[i:i+4]) {
			textSeen[s]++
		}
	}
	inks := [2]color.RGBA{th.text, th.muted}
	for _, y := range []int{balanceBase - balanceSize/3, Height - pad - numberSize/3} {
		for x := pad; x < qrBlock().Min.X; x += 24 {
			under := bg.NRGBAAt(x, y)
			for _, ink := range inks {
				for l := 1; l < 16; l++ {
					textSeen[over(sampleOf(under), ink, l)] += 4 // a guess at the pixels of each
				}
			}
		}
	}
	pal = append(pal, quantize(textSeen, nil, 256-len(pal))...)

	t := &template{pal: pal, pix: make([]uint8, Width*Height), white: 1, qrInk: 2}
	bgIndex := map[sample]uint8{}
	bgPal := pal[:min(len(pal), bgColours)]
	textIndex := map[sample]uint8{}
	for i := range t.pix {
		s, b := sample(top.Pix[4*i:4*i+4]), sample(bg.Pix[4*i:4*i+4])
		idx, ok := uint8(0), false
		if s == b { // untouched background: its colour from the background part, whatever the texts
			if idx, ok = bgIndex[s]; !ok {
				idx = nearest(bgPal, s)
				bgIndex[s] = idx
			}
		} else if idx, ok = textIndex[s]; !ok {
			idx = nearest(pal, s)
			textIndex[s] = idx
		}
		t.pix[i] = idx
	}
	for n, ink := range inks {
		t.blend[n] = make([][17]uint8, len(pal))
		for i, p := range pal {
			for l := range 17 {
				if l == 0 || p[3] != 0xFF {
					t.blend[n][i][l] = uint8(i)
					continue
				}
				t.blend[n][i][l] = nearest(pal, over(p, ink, l))
			}
		}
	}

	t.bandTop, t.bandBot = balanceBase-balanceSize, min(Height, Height-pad+numberSize/2)
	if k.withQR {
		t.bandTop = min(t.bandTop, qrBlock().Min.Y)
		t.bandBot = max(t.bandBot, qrBlock().Max.Y)
	}
	t.png = newPNGParts(Width, Height, pal, t.rows(0, t.bandTop), t.rows(t.bandBot, Height))
	bandRect := image.Rect(0, t.bandTop, Width, t.bandBot)
	var qr image.Rectangle
	if k.withQR {
		qr = qrBlock()
	}
	for i, box := range lineBoxes(fs, k.withQR) {
		t.lineBoxes[i] = box.Intersect(bandRect)
	}
	t.code = newBandCode(t.rows(t.bandTop, t.bandBot), t.bandTop, qr, t.lineBoxes)
	return t
}

// over lays the premultiplied ink at coverage l/16 over an opaque colour.
func over(under sample, ink color.RGBA, l int) sample {
	a := float64(l) / 16
	ca := float64(ink.A) / 255
	m := func(u, c uint8) uint8 { return uint8(float64(u)*(1-a*ca) + float64(c)*a + 0.5) }
	return sample{m(under[0], ink.R), m(under[1], ink.G), m(under[2], ink.B), 0xFF}
}

// rows returns the raw PNG rows [from, to): each a filter byte (None) and the row's indices.
func (t *template) rows(from, to int) []byte {
	out := make([]byte, 0, (to-from)*(Width+1))
	for y := from; y < to; y++ {
		out = append(out, 0)
		out = append(out, t.pix[y*Width:(y+1)*Width]...)
	}
	return out
}

// band is the raw rows of one card's band, drawn into directly.
type band struct {
	t     *template
	raw   []byte
	clip  image.Rectangle
	drawn drawn // where the card drew over the template
}

func (b *band) at(x, y int) int { return (y-b.t.bandTop)*(Width+1) + 1 + x }

// drawQR sets the modules, whole pixels each, centred in the white block: per line of modules, the
// runs of dark ones are found once and laid on each of its pixel rows.
func (b *band) drawQR(m *qrMatrix) {
	block := qrBlock()
	px := block.Dx() / (m.n + 2*qrQuietZone)
	side := px * m.n
	origin := block.Min.Add(image.Pt((block.Dx()-side)/2, (block.Dy()-side)/2))
	ink := bytes.Repeat([]byte{b.t.qrInk}, side)
	var runs [][2]int
	for my := range m.n {
		runs = runs[:0]
		for x := 0; x < m.n; x++ {
			if m.at(x, my) {
				start := x
				for x+1 < m.n && m.at(x+1, my) {
					x++
				}
				runs = append(runs, [2]int{start * px, (x + 1) * px})
			}
		}
		for y := origin.Y + my*px; y < origin.Y+(my+1)*px; y++ {
			b.drawn.mark(y-b.t.bandTop, origin.X, origin.X+side)
			row := b.raw[b.at(origin.X, y):b.at(origin.X+side, y)]
			for _, r := range runs {
				copy(row[r[0]:r[1]], ink)
			}
		}
	}
}

// drawLine draws a text as font.Drawer would, blending each glyph's coverage through the
// template's tables instead of colour arithmetic.
func (b *band) drawLine(l line) {
	ink := 0
	if l.muted {
		ink = 1
	}
	table := b.t.blend[ink]
	dot := fixed.P(l.x, l.base)
	prev := rune(-1)
	for _, r := range l.s {
		if prev >= 0 {
			dot.X += l.face.Kern(prev, r)
		}
		dr, mask, mp, adv, _ := l.face.Glyph(dot, r)
		dot.X += adv
		prev = r
		clipped := dr.Intersect(b.clip)
		if clipped.Empty() {
			continue
		}
		alpha, ok := mask.(*image.Alpha)
		if !ok { // cachedFace gives an *image.Alpha; any other mask is copied into one
			alpha = image.NewAlpha(dr.Sub(dr.Min).Add(mp))
			draw.Draw(alpha, alpha.Rect, mask, mp, draw.Src)
		}
		for y := clipped.Min.Y; y < clipped.Max.Y; y++ {
			b.drawn.mark(y-b.t.bandTop, clipped.Min.X, clipped.Max.X)
			cov := alpha.Pix[alpha.PixOffset(mp.X+clipped.Min.X-dr.Min.X, mp.Y+y-dr.Min.Y):]
			dst := b.raw[b.at(clipped.Min.X, y):b.at(clipped.Max.X, y)]
			for x, p := range dst {
				if lv := coverageLevel[cov[x]]; lv > 0 {
					dst[x] = table[p][lv]
				}
			}
		}
	}
}

// coverageLevel is a glyph mask's coverage (0–255) in the 17 levels the blend tables hold.
var coverageLevel = func() (l [256]uint8) {
	for c := range l {
		l[c] = uint8((c*16 + 127) / 255)
	}
	return l
}()
