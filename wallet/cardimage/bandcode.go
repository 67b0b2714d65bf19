package cardimage

import "image"

// bandCode deflates a card's band knowing which of its bytes can differ from the template's: the
// QR block and the boxes the balance and the number are drawn in. Everything else is the template's,
// so it is encoded once, with the template, as bits ready to be appended, and its Adler-32 is kept;
// a card encodes and sums only the bytes it drew. A copy in a pre-encoded stretch comes only from
// bytes no card changes, so it reads the same in every card.
type bandCode struct {
	spans   []bandSpan
	matcher *rowMatcher
}

// bandSpan is a stretch of the band's raw bytes [from, to), all of the template (clean) or all
// where a card may draw.
type bandSpan struct {
	from, to int
	clean    bool
	words    []uint32 // clean: its literals and copies, as the bit writer writes them
	nbits    uint
	sum      uint32 // clean: Adler-32 of its bytes
}

// newBandCode prepares the code of a band whose raw rows (a filter byte and width pixels each) are
// the template's and begin at row top; a card draws only inside dirty.
func newBandCode(raw []byte, width, top int, dirty []image.Rectangle) *bandCode {
	stride := width + 1
	usable := make([]bool, len(raw))
	for i := range usable {
		usable[i] = true
	}
	for _, r := range dirty {
		for y := max(r.Min.Y, top); y < min(r.Max.Y, top+len(raw)/stride); y++ {
			row := (y - top) * stride
			for x := max(r.Min.X, 0); x < min(r.Max.X, width); x++ {
				usable[row+1+x] = false
			}
		}
	}
	c := &bandCode{matcher: newRowMatcher(stride)}
	for from := 0; from < len(raw); {
		to := from + 1
		for to < len(raw) && usable[to] == usable[from] {
			to++
		}
		s := bandSpan{from: from, to: to, clean: usable[from]}
		if s.clean {
			var w bitWriter
			c.matcher.encode(&w, raw, from, to, usable)
			s.words, s.nbits = w.bits()
			s.sum = adler32Sum(1, raw[from:to])
		}
		c.spans = append(c.spans, s)
		from = to
	}
	return c
}

// encode appends the band's deflate segment to dst and returns it with the band's Adler-32.
func (c *bandCode) encode(dst, band []byte) ([]byte, uint32) {
	w := bitWriter{out: dst}
	w.put(0b010, 3) // BFINAL 0, BTYPE 01: fixed codes
	sum := uint32(1)
	for _, s := range c.spans {
		if s.clean {
			w.putBits(s.words, s.nbits)
			sum = adler32Combine(sum, s.sum, s.to-s.from)
			continue
		}
		c.matcher.encode(&w, band, s.from, s.to, nil)
		sum = adler32Sum(sum, band[s.from:s.to])
	}
	return endSegment(&w), sum
}
