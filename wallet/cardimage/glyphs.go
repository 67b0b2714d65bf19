package cardimage

import (
	"image"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// cachedFace is a face whose glyph images and advances come from a cache shared by every Render:
// rasterising the outline of each letter of the balance and the number was a tenth of a card's
// time, and cards show the same few dozen letters and digits. The font, size and hinting fix a
// glyph's image up to the sub-pixel position it is drawn at, which is part of the key.
type cachedFace struct {
	font.Face // the opentype face: metrics and kerning; not safe for concurrent use, made per Render
	fnt       *opentype.Font
	size      float64
}

type glyphKey struct {
	fnt  *opentype.Font
	size float64
	r    rune
	sub  fixed.Point26_6 // the dot's position within its pixel
}

// cachedGlyph is a glyph as Glyph returns it for a dot at the origin of its pixel.
type cachedGlyph struct {
	rect    image.Rectangle // relative to the dot's pixel
	mask    *image.Alpha    // owned by the cache, never written after it is stored
	advance fixed.Int26_6
	ok      bool
}

// glyphCacheSize bounds the cache: a card uses a few dozen glyphs, but texts in many scripts and
// sizes must not grow it without end. When full it starts again.
const glyphCacheSize = 4096

var glyphCache = struct {
	sync.RWMutex
	m        map[glyphKey]*cachedGlyph
	advances map[glyphKey]fixed.Int26_6
}{m: map[glyphKey]*cachedGlyph{}, advances: map[glyphKey]fixed.Int26_6{}}

func (f *cachedFace) Glyph(dot fixed.Point26_6, r rune) (image.Rectangle, image.Image, image.Point, fixed.Int26_6, bool) {
	pixel := image.Pt(dot.X.Floor(), dot.Y.Floor())
	k := glyphKey{fnt: f.fnt, size: f.size, r: r, sub: fixed.Point26_6{X: dot.X & 63, Y: dot.Y & 63}}
	glyphCache.RLock()
	g := glyphCache.m[k]
	glyphCache.RUnlock()
	if g == nil {
		g = f.rasterise(k)
		glyphCache.Lock()
		if len(glyphCache.m) >= glyphCacheSize {
			clear(glyphCache.m)
		}
		glyphCache.m[k] = g
		glyphCache.Unlock()
	}
	return g.rect.Add(pixel), g.mask, g.mask.Rect.Min, g.advance, g.ok
}

// rasterise draws the glyph with the underlying face and copies its mask, which the face reuses.
func (f *cachedFace) rasterise(k glyphKey) *cachedGlyph {
	dr, mask, mp, adv, ok := f.Face.Glyph(k.sub, k.r)
	g := &cachedGlyph{rect: dr, advance: adv, ok: ok, mask: image.NewAlpha(image.Rect(0, 0, dr.Dx(), dr.Dy()))}
	for y := range dr.Dy() {
		for x := range dr.Dx() {
			_, _, _, a := mask.At(mp.X+x, mp.Y+y).RGBA()
			g.mask.Pix[y*g.mask.Stride+x] = uint8(a >> 8)
		}
	}
	return g
}

func (f *cachedFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) {
	k := glyphKey{fnt: f.fnt, size: f.size, r: r}
	glyphCache.RLock()
	adv, found := glyphCache.advances[k]
	glyphCache.RUnlock()
	if found {
		return adv, true
	}
	adv, ok := f.Face.GlyphAdvance(r)
	if !ok {
		return adv, false
	}
	glyphCache.Lock()
	if len(glyphCache.advances) >= glyphCacheSize {
		clear(glyphCache.advances)
	}
	glyphCache.advances[k] = adv
	glyphCache.Unlock()
	return adv, true
}
