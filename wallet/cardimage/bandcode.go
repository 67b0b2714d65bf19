package cardimage

import (
	"bytes"
	"image"
	"sync"
)

// bandCode deflates a card's band knowing the template it was copied from. The template's band is
// encoded once, and its literals and copies are kept; a card reuses each one that neither writes
// nor copies from a byte the card drew, and encodes only the stretches around what it drew (the
// QR modules, the balance and the number). The Adler-32 works the same way on a coarser grid: the
// sums of the stretches outside the QR block and the text boxes are kept, since no card changes them.
type bandCode struct {
	top     int     // the band's first row on the card
	tokens  []token // the template band's literals and copies, in order
	sums    []bandSpan
	matcher *rowMatcher
	above   fixedCode          // the code of a copy from one row up
	boxes   [2]image.Rectangle // the text boxes, as in template.lineBoxes
	lines   lineCache
	// apart says the boxes are far enough from each other and from the QR block (more than a copy
	// reaches: one row, two pixels) for a box's encoding to depend on its text alone.
	apart bool
}

// bandSpan is a stretch of the band's raw bytes [from, to), either all of the template (clean, its
// sum kept) or where a card may draw.
type bandSpan struct {
	from, to int
	clean    bool
	sum      uint32 // clean: Adler-32 of its bytes
	line     int    // not clean: the text box it lies in, or -1
}

// rowBytes is a raw PNG row of the card: its filter byte and its pixels. A constant, so that the
// divisions by it that place a byte in its row are multiplications.
const rowBytes = Width + 1

// newBandCode prepares the code of a band whose raw rows (a filter byte and Width pixels each) are
// the template's and begin at row top; a card draws only in the QR block qr (empty without a code)
// and in the text boxes.
func newBandCode(raw []byte, top int, qr image.Rectangle, boxes [2]image.Rectangle) *bandCode {
	const stride, width = rowBytes, Width
	c := &bandCode{top: top, matcher: newRowMatcher(stride), above: distanceCode(stride), boxes: boxes,
		lines: lineCache{m: map[lineKey]*lineCode{}, seen: map[lineKey]bool{}}}
	dirty := append([]image.Rectangle{qr}, boxes[:]...)
	reach := func(r image.Rectangle) image.Rectangle { return image.Rect(r.Min.X-3, r.Min.Y-2, r.Max.X+3, r.Max.Y+2) }
	c.apart = !reach(boxes[0]).Overlaps(boxes[1]) && !reach(boxes[0]).Overlaps(qr) && !reach(boxes[1]).Overlaps(qr)
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
		s := bandSpan{from: from, to: to, clean: clean[from], line: c.boxAt(from)}
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
	for r := from / rowBytes; r <= (to-1)/rowBytes && r < len(d.x0); r++ {
		start := r*rowBytes + 1
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

// boxAt is the text box holding raw byte i of the band, or -1.
func (c *bandCode) boxAt(i int) int {
	at := image.Pt(i%rowBytes-1, c.top+i/rowBytes)
	for k, b := range c.boxes {
		if at.In(b) {
			return k
		}
	}
	return -1
}

// Cards often show the same text: every first contact shows the welcome bonus. What a card encoded
// inside a text box depends on nothing but the text (a box's copies reach only into the box and the
// template's pixels around it, never the QR block or the other box), so the pieces of the box it
// encoded and the sums of its rows are kept per text and reused by the next card that shows it.
type lineCache struct {
	mu   sync.Mutex
	m    map[lineKey]*lineCode
	seen map[lineKey]bool // texts met once: a second card with one of them records its encoding
}

type lineKey struct {
	line int
	text string
}

// lineCode is one text's encoding inside its box: the pieces by their first byte, the Adler-32 of
// the box's rows by theirs. Complete once stored, never written after.
type lineCode struct {
	pieces map[int]bitPiece
	sums   map[int]uint32
}

func (l *lineCode) has(sumAt int) bool { _, ok := l.sums[sumAt]; return ok }

type bitPiece struct {
	words []uint32
	n     uint
}

// maxLineCodes bounds the texts kept per template, maxSeen those met once (a card number is met
// once and never again, so it is never recorded); when full, each starts again.
const (
	maxLineCodes = 64
	maxSeen      = 1024
)

// lineCodes returns, per line, the kept encoding of its text (record false), or a new one to fill
// when the text was met before (record true), or nil: encode it plainly.
func (c *bandCode) lineCodes(texts [2]string) (codes [2]*lineCode, record [2]bool) {
	if !c.apart {
		return codes, record
	}
	c.lines.mu.Lock()
	defer c.lines.mu.Unlock()
	for k, text := range texts {
		key := lineKey{k, text}
		switch {
		case c.lines.m[key] != nil:
			codes[k] = c.lines.m[key]
		case c.lines.seen[key]:
			codes[k], record[k] = &lineCode{pieces: map[int]bitPiece{}, sums: map[int]uint32{}}, true
		default:
			if len(c.lines.seen) >= maxSeen {
				clear(c.lines.seen)
			}
			c.lines.seen[key] = true
		}
	}
	return codes, record
}

func (c *bandCode) keepLineCodes(texts [2]string, codes [2]*lineCode, record [2]bool) {
	c.lines.mu.Lock()
	defer c.lines.mu.Unlock()
	for k, text := range texts {
		if record[k] {
			if len(c.lines.m) >= maxLineCodes {
				clear(c.lines.m)
			}
			c.lines.m[lineKey{k, text}] = codes[k]
		}
	}
}

// encodeOwn encodes band[from:to], a stretch the card drew in, row by row and, within a row, apart
// inside and outside a text box; a row that repeats the one above (the later rows of a line of QR
// modules) is one copy, found with a plain comparison.
func (c *bandCode) encodeOwn(w *bitWriter, band []byte, from, to int, codes [2]*lineCode, record [2]bool) {
	for from < to {
		end := min(to, (from/rowBytes+1)*rowBytes)
		k := c.boxAt(from)
		if k < 0 { // up to the next box in this row, if any
			if b, ok := c.boxInRow(from); ok {
				if start := (from/rowBytes)*rowBytes + 1 + b.Min.X; start > from {
					end = min(end, start)
				}
			}
		} else {
			end = min(end, (from/rowBytes)*rowBytes+1+c.boxes[k].Max.X)
		}
		switch {
		case k >= 0 && codes[k] != nil && !record[k]:
			if p, ok := codes[k].pieces[from]; ok {
				w.putBits(p.words, p.n)
				break
			}
			c.encodePiece(w, band, from, end) // not kept: cannot happen, but encoding is always right
		case k >= 0 && record[k]:
			var own bitWriter
			c.encodePiece(&own, band, from, end)
			words, n := own.bits()
			codes[k].pieces[from] = bitPiece{words, n}
			w.putBits(words, n)
		default:
			c.encodePiece(w, band, from, end)
		}
		from = end
	}
}

// boxInRow is the text box crossing the row of raw byte i, if one does.
func (c *bandCode) boxInRow(i int) (image.Rectangle, bool) {
	y := c.top + i/rowBytes
	for _, b := range c.boxes {
		if y >= b.Min.Y && y < b.Max.Y {
			return b, true
		}
	}
	return image.Rectangle{}, false
}

func (c *bandCode) encodePiece(w *bitWriter, band []byte, from, end int) {
	if from >= rowBytes && end-from >= minMatch && bytes.Equal(band[from:end], band[from-rowBytes:end-rowBytes]) {
		copyRows(w, from, end, c.above)
	} else {
		c.matcher.encode(w, band, from, end, nil)
	}
}

// encode appends the band's deflate segment to dst and returns it with the band's Adler-32; texts
// are what the card's lines show (ownLines' order).
func (c *bandCode) encode(dst, band []byte, d drawn, texts [2]string) ([]byte, uint32) {
	codes, record := c.lineCodes(texts)
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
		c.encodeOwn(&w, band, i, end, codes, record)
		i, t = end, next
	}
	sum := uint32(1)
	var recent [8]struct {
		from, to int
		sum      uint32
	}
	for _, s := range c.sums {
		switch {
		case s.clean:
			sum = adler32Combine(sum, s.sum, s.to-s.from)
		case s.line >= 0 && codes[s.line] != nil && !record[s.line] && codes[s.line].has(s.from):
			sum = adler32Combine(sum, codes[s.line].sums[s.from], s.to-s.from)
		case s.line >= 0 && record[s.line]:
			own := adler32Sum(1, band[s.from:s.to])
			codes[s.line].sums[s.from] = own
			sum = adler32Combine(sum, own, s.to-s.from)
		default:
			// A stretch with the same pixels as the one above it (a QR module's later rows) has the
			// same sum of its own; the last few stretches' sums are kept to find it.
			slot := &recent[(s.from%rowBytes)%len(recent)]
			if slot.to-slot.from != s.to-s.from || slot.from != s.from-rowBytes ||
				!bytes.Equal(band[s.from:s.to], band[slot.from:slot.to]) {
				slot.sum = adler32Sum(1, band[s.from:s.to])
			}
			slot.from, slot.to = s.from, s.to
			sum = adler32Combine(sum, slot.sum, s.to-s.from)
		}
	}
	c.keepLineCodes(texts, codes, record)
	return endSegment(&w), sum
}
