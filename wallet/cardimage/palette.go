package cardimage

import (
	"image/color"
	"math"
	"slices"
)

// The card is written as an 8-bit palette PNG: a quarter of the bytes of RGBA to filter, deflate and
// send, and the deflate was most of Render's time. The palette has two parts. The first holds the
// background layer (gradient, glow, QR block, rounded corners), taken from that layer alone, so the
// same accent colour always paints the same background whatever the texts. The second holds the
// texts' colours and their anti-aliasing ramps over the background they are drawn on.
const bgColours = 160

// sample is one colour to be represented, straight (not premultiplied) alpha.
type sample [4]uint8

func sampleOf(c color.NRGBA) sample { return sample{c.R, c.G, c.B, c.A} }

func (s sample) nrgba() color.NRGBA { return color.NRGBA{R: s[0], G: s[1], B: s[2], A: s[3]} }

// quantize picks at most n colours to represent counts (colour → pixels of it): median cut that
// splits the box whose widest channel range, weighted by the square root of its pixels, is largest.
// The weight spends the entries on the large smooth areas, where a step shows as a band, rather than
// on the few pixels of an anti-aliased edge, where it does not. forced colours are kept exactly and
// come first. The result is deterministic for given counts.
func quantize(counts map[sample]int, forced []sample, n int) []sample {
	out := slices.Clone(forced)
	rest := make([]sample, 0, len(counts))
	for s := range counts {
		if !slices.Contains(forced, s) {
			rest = append(rest, s)
		}
	}
	slices.SortFunc(rest, cmpSample)
	if len(rest) == 0 || n <= len(out) {
		return out
	}
	boxes := [][]sample{rest}
	for len(boxes) < n-len(out) {
		best, widest := -1, 0.0
		for i, b := range boxes {
			_, r := widestChannel(b)
			if r == 0 {
				continue
			}
			pixels := 0
			for _, s := range b {
				pixels += counts[s]
			}
			if score := float64(r) * math.Sqrt(float64(pixels)); score > widest {
				best, widest = i, score
			}
		}
		if best < 0 {
			break // every box holds one colour
		}
		b := boxes[best]
		ch, _ := widestChannel(b)
		slices.SortStableFunc(b, func(x, y sample) int { return int(x[ch]) - int(y[ch]) })
		cut := len(b) / 2
		for cut > 1 && b[cut-1][ch] == b[cut][ch] { // keep equal values together where possible
			cut--
		}
		boxes[best], boxes = b[:cut], append(boxes, b[cut:])
	}
	for _, b := range boxes {
		var sum [4]int
		pixels := 0
		for _, s := range b {
			w := max(counts[s], 1)
			pixels += w
			for c := range sum {
				sum[c] += int(s[c]) * w
			}
		}
		var m sample
		for c := range m {
			m[c] = uint8((sum[c] + pixels/2) / pixels)
		}
		out = append(out, m)
	}
	return out
}

func cmpSample(a, b sample) int {
	for c := range a {
		if a[c] != b[c] {
			return int(a[c]) - int(b[c])
		}
	}
	return 0
}

// widestChannel returns the channel with the largest range in b and that range (alpha counts
// double: a wrong alpha shows more than a wrong shade).
func widestChannel(b []sample) (int, int) {
	ch, widest := 0, 0
	for c := range 4 {
		lo, hi := 255, 0
		for _, s := range b {
			lo, hi = min(lo, int(s[c])), max(hi, int(s[c]))
		}
		r := hi - lo
		if c == 3 {
			r *= 2
		}
		if r > widest {
			ch, widest = c, r
		}
	}
	return ch, widest
}

// nearest returns the index of the entry of pal closest to s.
func nearest(pal []sample, s sample) uint8 {
	best, bestD := 0, 1<<31-1
	for i, p := range pal {
		d := 0
		for c := range 4 {
			v := int(p[c]) - int(s[c])
			if c == 3 {
				v *= 2
			}
			d += v * v
		}
		if d < bestD {
			best, bestD = i, d
			if d == 0 {
				break
			}
		}
	}
	return uint8(best)
}
