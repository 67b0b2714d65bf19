package cardimage

import (
	"image"
	"image/color"
	"math"
)

// theme is the palette derived from the accent colour.
type theme struct {
	light, dark color.RGBA  // gradient ends, top left to bottom right
	text, muted color.RGBA  // premultiplied; muted is the text colour, part transparent
	badge       color.NRGBA // fill of the tier badge
}

// themeFor picks dark text on light accents (yellow, pastel) and white text on the rest, so the card
// stays readable whatever colour the owner chose.
func themeFor(accent color.RGBA) theme {
	th := theme{light: mix(accent, white, 0.16), dark: mix(accent, black, 0.24)}
	luma := (299*int(accent.R) + 587*int(accent.G) + 114*int(accent.B)) / 1000
	ink := white
	if luma > 165 {
		ink = color.RGBA{R: 0x1C, G: 0x1C, B: 0x22, A: 0xFF}
	}
	th.text = ink
	th.muted = fade(ink, 0.78)
	th.badge = color.NRGBA{R: ink.R, G: ink.G, B: ink.B, A: 0x2E}
	return th
}

var (
	white = color.RGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
	black = color.RGBA{A: 0xFF}
)

// mix returns a + (b-a)·t for opaque colours.
func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.RGBA{R: l(a.R, b.R), G: l(a.G, b.G), B: l(a.B, b.B), A: 0xFF}
}

// fade makes an opaque colour part transparent, premultiplied as image.RGBA wants it.
func fade(c color.RGBA, alpha float64) color.RGBA {
	m := func(x uint8) uint8 { return uint8(float64(x)*alpha + 0.5) }
	return color.RGBA{R: m(c.R), G: m(c.G), B: m(c.B), A: m(c.A)}
}

// disc is a translucent circle of light laid over the gradient, for depth.
type disc struct {
	cx, cy, r, strength float64
}

// discs sit behind the texts and QR, partly off the card, as on printed cards.
var discs = [...]disc{
	{cx: 0.80 * Width, cy: -0.22 * Height, r: 0.62 * Height, strength: 0.07},
	{cx: 0.02 * Width, cy: 1.20 * Height, r: 0.58 * Height, strength: 0.06},
}

// paintBackground fills the whole canvas, opaque, in one pass: a diagonal gradient plus the discs.
// The gradient is linear, so each pixel is the previous one plus a constant step: this pass touches
// every pixel, and stepping keeps it to a few milliseconds.
func paintBackground(img *image.RGBA, th theme) {
	var glow [Width]float64
	var step, start [3]float64 // per x, and at x=0 of the current row
	ends := [3][2]uint8{{th.light.R, th.dark.R}, {th.light.G, th.dark.G}, {th.light.B, th.dark.B}}
	for y := 0; y < Height; y++ {
		for i, e := range ends {
			span := float64(e[1]) - float64(e[0])
			step[i] = span * 0.6 / Width
			start[i] = float64(e[0]) + span*0.4*float64(y)/Height
		}
		rowGlow(glow[:], float64(y)+0.5)
		row := img.Pix[y*img.Stride : y*img.Stride+4*Width]
		c := start
		for x := 0; x < Width; x++ {
			g := glow[x]
			p := row[4*x : 4*x+4 : 4*x+4]
			p[0] = uint8(c[0] + (255-c[0])*g + 0.5)
			p[1] = uint8(c[1] + (255-c[1])*g + 0.5)
			p[2] = uint8(c[2] + (255-c[2])*g + 0.5)
			p[3] = 0xFF
			c[0], c[1], c[2] = c[0]+step[0], c[1]+step[1], c[2]+step[2]
		}
	}
}

// rowGlow sets how much the discs lighten each pixel of the row at height y (0–1). Inside a disc's
// chord the light is constant; only the pixel or two at each end need the anti-aliasing distance.
func rowGlow(glow []float64, y float64) {
	clear(glow)
	for _, d := range discs {
		dy := y - d.cy
		outer := (d.r+0.5)*(d.r+0.5) - dy*dy
		if outer <= 0 {
			continue
		}
		in, out := math.Sqrt(max((d.r-0.5)*(d.r-0.5)-dy*dy, 0)), math.Sqrt(outer)
		x0, x1 := max(int(d.cx-out), 0), min(int(d.cx+out)+1, len(glow))
		for x := x0; x < x1; x++ {
			dx := float64(x) + 0.5 - d.cx
			if dx > -in && dx < in {
				glow[x] += d.strength
			} else {
				glow[x] += d.strength * clamp01(d.r-math.Sqrt(dx*dx+dy*dy)+0.5)
			}
		}
	}
}

// coverage is the share of the pixel (x, y), taken to lie inside r, that the rectangle r with
// corners rounded to rad covers; measured at the pixel centre with a one-pixel ramp, which is enough
// anti-aliasing for curves this large.
func coverage(r image.Rectangle, rad float64, x, y int) float64 {
	px, py := float64(x)+0.5, float64(y)+0.5
	var cx, cy float64 // centre of the corner's circle
	switch {
	case px < float64(r.Min.X)+rad:
		cx = float64(r.Min.X) + rad
	case px > float64(r.Max.X)-rad:
		cx = float64(r.Max.X) - rad
	default:
		return 1 // between the corners: a straight edge
	}
	switch {
	case py < float64(r.Min.Y)+rad:
		cy = float64(r.Min.Y) + rad
	case py > float64(r.Max.Y)-rad:
		cy = float64(r.Max.Y) - rad
	default:
		return 1
	}
	dx, dy := px-cx, py-cy
	return clamp01(rad - math.Sqrt(dx*dx+dy*dy) + 0.5)
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// fillRoundRect blends c over the opaque canvas inside r, with corners of radius rad.
func fillRoundRect(dst *image.RGBA, r image.Rectangle, rad float64, c color.NRGBA) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := coverage(r, rad, x, y) * float64(c.A) / 255
			if a <= 0 {
				continue
			}
			p := dst.Pix[dst.PixOffset(x, y):]
			p[0] = uint8(float64(p[0])*(1-a) + float64(c.R)*a + 0.5)
			p[1] = uint8(float64(p[1])*(1-a) + float64(c.G)*a + 0.5)
			p[2] = uint8(float64(p[2])*(1-a) + float64(c.B)*a + 0.5)
		}
	}
}

// roundCorners cuts the card's corners round and returns the picture as straight-alpha NRGBA sharing
// img's pixels — the same bytes, because every pixel is opaque until now. Outside the curve the
// pixels are transparent white, so a viewer that drops the alpha channel (Telegram re-encodes photos
// as JPEG) shows white corners rather than black ones.
func roundCorners(img *image.RGBA, rad int) *image.NRGBA {
	out := &image.NRGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	b := img.Rect
	for _, corner := range []image.Point{
		b.Min, {b.Max.X - rad, b.Min.Y}, {b.Min.X, b.Max.Y - rad}, b.Max.Sub(image.Pt(rad, rad)),
	} {
		for y := corner.Y; y < corner.Y+rad; y++ {
			for x := corner.X; x < corner.X+rad; x++ {
				a := coverage(b, float64(rad), x, y)
				p := out.Pix[out.PixOffset(x, y):]
				switch {
				case a <= 0:
					p[0], p[1], p[2], p[3] = 0xFF, 0xFF, 0xFF, 0
				case a < 1:
					p[3] = uint8(a*255 + 0.5)
				}
			}
		}
	}
	return out
}
