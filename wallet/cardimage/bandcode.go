package cardimage

import (
	"bytes"
	"image"
)

// bandCode deflates a card's band knowing the template it was copied from. The template's band is
// encoded once, and its literals and copies are kept; a card reuses each one that neither writes
// nor copies from a byte the card drew, and encodes only the stretches around what it drew (the
// QR modules, the balance and the number). The Adler-32 works the same way on a coarser grid: the
// sums of the stretches outside the QR block and the text boxes are kept, since no card changes them.
type bandCode struct {
	stride  int
	tokens  []token // the template band's literals and copies, in order
	sums    []bandSpan
	matcher *rowMatcher
	above   fixedCode // the code of a copy from one row up
}

// bandSpan is a stretch of the band's raw bytes [from, to), either all of the template (clean, its
// sum kept) or where a card may draw.
type bandSpan struct {
	from, to int
	clean    bool
	sum      uint32 // clean: Adler-32 of its bytes
}

// newBandCode prepares the code of a band whose raw rows (a filter byte and width pixels each) are
// the template's and begin at row top; a card draws only inside dirty.
func newBandCode(raw []byte, width, top int, dirty []image.Rectangle) *bandCode {
	stride := width + 1
	c := &bandCode{stride: stride, matcher: newRowMatcher(stride), above: distanceCode(stride)}
	clean := make([]bool, len(raw))
	for i := range clean {
		clean[i] = true
	}
	for _, r := range dirty {
		for y := max(r.Min.Y, top); y < min(r.Max.Y, top+len(raw)/stride); y++ {
			row := (y - top) * stride
			for x := max(r.Min.X, 0); x < min(r.Max.X, width); x++ {
				clean[row+1+x] = false
			}
		}
	}
	for from := 0; from < len(raw); {
		to := from + 1
		for to < len(raw) && clean[to] == clean[from] {
			to++
		}
		s := bandSpan{from: from, to: to, clean: clean[from]}
		// Tokens end at the edges of where cards draw, so a card re-encodes that much and no more.
		c.matcher.encode(&bitWriter{}, raw, from, to, &c.tokens)
		if s.clean {
			s.sum = adler32Sum(1, raw[from:to])
		}
		c.sums = append(c.sums, s)
		from = to
	}
	return c
}

// drawn is what a card changed in its band: per row, the pixels [x0, x1), empty when x0 ≥ x1.
type drawn struct {
	x0, x1 []int16
}

func newDrawn(rows int) drawn {
	d := drawn{x0: make([]int16, rows), x1: make([]int16, rows)}
	for i := range d.x0 {
		d.x0[i] = Width
	}
	return d
}

// mark records that the card drew pixels [x0, x1) of band row r.
func (d drawn) mark(r, x0, x1 int) {
	d.x0[r] = min(d.x0[r], int16(x0))
	d.x1[r] = max(d.x1[r], int16(x1))
}

// touches reports whether raw bytes [from, to) of the band, at most a row long, hold a drawn pixel.
func (c *bandCode) touches(d drawn, from, to int) bool {
	for r := from / c.stride; r <= (to-1)/c.stride && r < len(d.x0); r++ {
		start := r*c.stride + 1
		if d.x0[r] < d.x1[r] && from < start+int(d.x1[r]) && start+int(d.x0[r]) < to {
			return true
		}
	}
	return false
}

// reusable reports whether the template's token t reads the same in this card.
func (c *bandCode) reusable(d drawn, t token) bool {
	from, to := int(t.pos), int(t.pos)+int(t.len)
	return !c.touches(d, from, to) && (t.dist == 0 || !c.touches(d, from-int(t.dist), to-int(t.dist)))
}

// encodeOwn encodes band[from:to], a stretch the card drew in, row by row: a row that repeats the
// one above (the later rows of a line of QR modules) is one copy, found with a plain comparison.
func (c *bandCode) encodeOwn(w *bitWriter, band []byte, from, to int) {
	for from < to {
		end := min(to, (from/c.stride+1)*c.stride)
		if from >= c.stride && end-from >= minMatch && bytes.Equal(band[from:end], band[from-c.stride:end-c.stride]) {
			copyRows(w, from, end, c.above)
		} else {
			c.matcher.encode(w, band, from, end, nil)
		}
		from = end
	}
}

// encode appends the band's deflate segment to dst and returns it with the band's Adler-32.
func (c *bandCode) encode(dst, band []byte, d drawn) ([]byte, uint32) {
	w := bitWriter{out: dst}
	w.put(0b010, 3) // BFINAL 0, BTYPE 01: fixed codes
	for i, t := 0, 0; i < len(band); {
		for t < len(c.tokens) && int(c.tokens[t].pos) < i {
			t++
		}
		if t < len(c.tokens) && int(c.tokens[t].pos) == i && c.reusable(d, c.tokens[t]) {
			w.put(uint64(c.tokens[t].code), uint(c.tokens[t].codeLength))
			i += int(c.tokens[t].len)
			continue
		}
		next := t + 1 // the template's next token that still holds: the card's own stretch ends there
		for next < len(c.tokens) && !c.reusable(d, c.tokens[next]) {
			next++
		}
		end := len(band)
		if next < len(c.tokens) {
			end = int(c.tokens[next].pos)
		}
		c.encodeOwn(&w, band, i, end)
		i, t = end, next
	}
	sum := uint32(1)
	for _, s := range c.sums {
		if s.clean {
			sum = adler32Combine(sum, s.sum, s.to-s.from)
		} else {
			sum = adler32Sum(sum, band[s.from:s.to])
		}
	}
	return endSegment(&w), sum
}
