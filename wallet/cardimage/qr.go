package cardimage

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"sync"

	"rsc.io/qr/coding"

	"cardbot"
)

// maxQRPNG bounds QRPNG's size: callers may take it from a query string, and a huge one would be a
// cheap way to make the server allocate gigabytes.
const maxQRPNG = 4096

// qrMatrix is an encoded QR code: n×n modules, row by row, true for dark.
type qrMatrix struct {
	n    int
	dark []bool
}

// encodeQR encodes content with medium error correction (15 % of the code may be damaged or covered
// and it still reads), in the most compact mode that holds it (digits, upper-case alphanumeric or
// bytes) and the smallest version. Of the eight masks it keeps the one with the lowest penalty as the
// standard (ISO/IEC 18004, 8.8.2) scores them: fewest long runs, blocks, finder-like patterns and the
// most even share of dark modules, which reads best. The module layout of each version is taken once
// from rsc.io/qr/coding's plans (see qrLayout); a call only computes the codewords, places their bits
// and scores the eight masked codes as bit sets, 64 lines at a time.
func encodeQR(content string) (*qrMatrix, error) {
	enc, v, err := qrEncoding(content)
	if err != nil {
		return nil, err
	}
	l, err := qrLayouts[v]()
	if err != nil {
		return nil, err
	}
	// What coding.Plan.Encode does before it paints: data bits, padding, then the check bytes.
	var codewords coding.Bits
	enc.Encode(&codewords, v)
	codewords.AddCheckBytes(v, coding.M)

	words := len(l.fixed.rows)
	buf := make([]uint64, 5*words)
	plain := qrBits{n: l.fixed.n, w: l.fixed.w, rows: buf[:words], cols: buf[words : 2*words]}
	masked := qrBits{n: l.fixed.n, w: l.fixed.w, rows: buf[2*words : 3*words], cols: buf[3*words : 4*words]}
	best := buf[4*words:]
	l.place(codewords.Bytes(), plain)
	bestScore := -1
	for mask := range l.masks {
		l.applyMask(mask, plain, masked)
		if score := masked.penalty(); bestScore < 0 || score < bestScore {
			bestScore = score
			copy(best, masked.rows)
		}
	}
	n, w := l.fixed.n, l.fixed.w
	m := &qrMatrix{n: n, dark: make([]bool, n*n)}
	for y := range n {
		row := best[(y+qrPad)*w:]
		for x := range n {
			m.dark[y*n+x] = row[x>>6]>>(x&63)&1 != 0
		}
	}
	return m, nil
}

// qrEncoding picks the most compact mode that holds content and the smallest version (level M) it fits.
func qrEncoding(content string) (coding.Encoding, coding.Version, error) {
	if content == "" {
		return nil, 0, cardbot.Errorf(cardbot.Invalid, "nothing to put in the QR code")
	}
	var enc coding.Encoding = coding.String(content)
	switch {
	case coding.Num(content).Check() == nil:
		enc = coding.Num(content)
	case coding.Alpha(content).Check() == nil:
		enc = coding.Alpha(content)
	}
	v := coding.Version(coding.MinVersion)
	for enc.Bits(v) > v.DataBytes(coding.M)*8 {
		if v++; v > coding.MaxVersion {
			return nil, 0, cardbot.Errorf(cardbot.Invalid, "the QR content is too long (%d bytes)", len(content))
		}
	}
	return enc, v, nil
}

// qrPad is the number of all-light lines kept before the first and after the last line of a qrBits:
// the finder rule counts the outside of the symbol as light, and with them it needs no bounds checks.
const qrPad = 4

// qrBits holds n×n modules as bit sets, twice: rows[(y+qrPad)*w+x/64] has module (x, y) at bit x%64,
// and cols[(x+qrPad)*w+y/64] has it at bit y%64; w words hold one line. With columns as words, a
// rule along the rows runs on 64 rows at once by combining neighbouring columns, and the other way round.
type qrBits struct {
	n, w       int
	rows, cols []uint64
}

func newQRBits(n int) qrBits {
	w := (n + 63) / 64
	words := (n + 2*qrPad) * w
	buf := make([]uint64, 2*words)
	return qrBits{n: n, w: w, rows: buf[:words], cols: buf[words:]}
}

// flip inverts module (x, y).
func (b qrBits) flip(x, y int) {
	b.rows[(y+qrPad)*b.w+x>>6] ^= 1 << (x & 63)
	b.cols[(x+qrPad)*b.w+y>>6] ^= 1 << (y & 63)
}

// qrModule is a module's position; a symbol is at most 177 modules wide.
type qrModule struct{ x, y uint8 }

// qrLayout is what encodeQR needs of one version at level M, read once from rsc.io/qr/coding's
// plans, one per mask. A coding.Plan is not changed by Encode, which only reads its pixel map, and
// encodeQR paints the same way: a data or check module is dark when its codeword bit is 1, inverted
// where the mask says so; the format modules depend on the mask only, the other modules on neither.
type qrLayout struct {
	fixed qrBits     // finder, timing and alignment patterns, version information, the dark module
	masks [8]qrBits  // per mask: the data, check and remainder modules it inverts, the format modules dark
	bits  []qrModule // where bit i of the codewords goes, most significant bit of a byte first
}

// qrLayouts builds a version's layout on first use and keeps it, never changed after: about 5 KB for
// version 1, 8 KB for version 4 (a card's link), 140 KB for version 40. Building one takes the eight
// plans the encoder used to build on every call.
var qrLayouts = func() (f [coding.MaxVersion + 1]func() (*qrLayout, error)) {
	for v := coding.Version(coding.MinVersion); v <= coding.MaxVersion; v++ {
		f[v] = sync.OnceValues(func() (*qrLayout, error) { return newQRLayout(v) })
	}
	return f
}()

func newQRLayout(v coding.Version) (*qrLayout, error) {
	l := &qrLayout{}
	for mask := range coding.Mask(len(l.masks)) {
		plan, err := coding.NewPlan(v, coding.M, mask)
		if err != nil {
			return nil, err
		}
		n := len(plan.Pixel)
		if mask == 0 {
			l.fixed = newQRBits(n)
			l.bits = make([]qrModule, 8*(plan.DataBytes+plan.CheckBytes))
		}
		l.masks[mask] = newQRBits(n)
		for y, row := range plan.Pixel {
			for x, pix := range row {
				dark := pix&coding.Black != 0
				switch pix.Role() {
				case coding.Data, coding.Check:
					l.bits[pix.Offset()] = qrModule{uint8(x), uint8(y)}
					fallthrough
				case coding.Extra, coding.Format:
					if dark {
						l.masks[mask].flip(x, y)
					}
				default:
					if dark && mask == 0 {
						l.fixed.flip(x, y)
					}
				}
			}
		}
	}
	return l, nil
}

// place sets dst to the unmasked code: the fixed patterns and the codewords' bits, with the format
// modules light.
func (l *qrLayout) place(codewords []byte, dst qrBits) {
	copy(dst.rows, l.fixed.rows)
	copy(dst.cols, l.fixed.cols)
	w := dst.w
	for i, p := range l.bits {
		bit := uint64(codewords[i>>3]>>(7-i&7)) & 1
		x, y := int(p.x), int(p.y)
		dst.rows[(y+qrPad)*w+x>>6] |= bit << (x & 63)
		dst.cols[(x+qrPad)*w+y>>6] |= bit << (y & 63)
	}
}

// applyMask sets dst to the unmasked code src with the mask applied and its format information.
func (l *qrLayout) applyMask(mask int, src, dst qrBits) {
	m := l.masks[mask]
	for i, word := range src.rows {
		dst.rows[i] = word ^ m.rows[i]
	}
	for i, word := range src.cols {
		dst.cols[i] = word ^ m.cols[i]
	}
}

// penalty scores a masked code as ISO/IEC 18004 (8.8.2) does, lower reads better: runs of five or
// more modules of one colour in a row or column (3, plus 1 for each module over five), 2×2 blocks of
// one colour (3 each), finder-like 1:1:3:1:1 patterns with four light modules on either side (40
// each; outside the symbol counts as light), and 10 for each 5 % the dark share is away from half.
func (b qrBits) penalty() int {
	score := b.lineRules(b.cols) + b.lineRules(b.rows) + 3*b.blocks()
	dark := 0
	for _, word := range b.rows {
		dark += bits.OnesCount64(word)
	}
	pct := dark * 100 / (b.n * b.n)
	return score + 10*(max(pct-50, 50-pct)/5)
}

// lowBits returns a word with its lowest c bits set, 0 ≤ c.
func lowBits(c int) uint64 {
	if c >= 64 {
		return ^uint64(0)
	}
	return 1<<c - 1
}

// lineRules scores runs and finder patterns along every line at once: lines is cols to score the
// rows (bit y of word k is module k of row y) or rows to score the columns.
func (b qrBits) lineRules(lines []uint64) int {
	n, w, score := b.n, b.w, 0
	for i := range w {
		valid := lowBits(b.n - 64*i) // the lines this word holds
		at := func(k int) uint64 { return lines[(k+qrPad)*w+i] }
		// Runs: a run of L ≥ 5 holds L-4 windows of five equal modules, one of them at its start, so
		// it scores (L-4) + 2 = L-2. eq[j] has bit set where module k-j equals module k-j-1.
		var eq1, eq2, eq3, eq4 uint64
		for k := 1; k < n; k++ {
			eq := ^(at(k-1) ^ at(k)) & valid
			five := eq & eq1 & eq2 & eq3
			score += bits.OnesCount64(five) + 2*bits.OnesCount64(five&^eq4)
			eq1, eq2, eq3, eq4 = eq, eq1, eq2, eq3
		}
		// Finder patterns at k..k+6; the padding lines make at(k-4) and at(k+10) light outside.
		for k := 0; k+7 <= n; k++ {
			f := at(k) &^ at(k+1) & at(k+2) & at(k+3) & at(k+4) &^ at(k+5) & at(k+6)
			light := ^(at(k-4) | at(k-3) | at(k-2) | at(k-1)) | ^(at(k+7) | at(k+8) | at(k+9) | at(k+10))
			score += 40 * bits.OnesCount64(f&light)
		}
	}
	return score
}

// blocks counts the 2×2 blocks of one colour.
func (b qrBits) blocks() int {
	n, w, count := b.n, b.w, 0
	for x := 0; x+1 < n; x++ {
		left, right := b.cols[(x+qrPad)*w:(x+qrPad+1)*w], b.cols[(x+1+qrPad)*w:(x+qrPad+2)*w]
		for i := range w {
			var nextLeft, nextRight uint64 // the words below, for the bit of the row below
			if i+1 < w {
				nextLeft, nextRight = left[i+1], right[i+1]
			}
			across := ^(left[i] ^ right[i])                      // (x, y) = (x+1, y)
			acrossBelow := across>>1 | ^(nextLeft^nextRight)<<63 // (x, y+1) = (x+1, y+1)
			down := ^(left[i] ^ (left[i]>>1 | nextLeft<<63))     // (x, y) = (x, y+1)
			count += bits.OnesCount64(across & acrossBelow & down & lowBits(n-1-64*i))
		}
	}
	return count
}

func (m *qrMatrix) at(x, y int) bool { return m.dark[y*m.n+x] }

// QRPNG returns a size×size PNG of a black-on-white QR code with medium error correction and a quiet
// zone of at least four modules. Modules are whole pixels, so the code is centred and the margin may
// be a little wider. It refuses empty content, content too long for a QR code, and sizes too small to
// hold the code or above 4096.
func QRPNG(content string, size int) ([]byte, error) {
	m, err := encodeQR(content)
	if err != nil {
		return nil, err
	}
	if size > maxQRPNG || size < m.n+2*qrQuietZone {
		return nil, cardbot.Errorf(cardbot.Invalid, "a QR code of this content needs a size from %d to %d pixels",
			m.n+2*qrQuietZone, maxQRPNG)
	}
	// Two colours: the encoder writes a 1-bit PNG, a fraction of the size of a grey one.
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	px := size / (m.n + 2*qrQuietZone)
	off := (size - px*m.n) / 2
	for y := range m.n * px {
		for x := range m.n * px {
			if m.at(x/px, y/px) {
				img.Pix[(off+y)*img.Stride+off+x] = 1
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// QRSVG returns a QR code as a standalone SVG for print: a white square with one black unit rect
// per dark module, a quiet zone of four modules and a viewBox in modules, so it scales to any size
// without blur. It refuses empty content and content too long for a QR code.
func QRSVG(content string) ([]byte, error) {
	m, err := encodeQR(content)
	if err != nil {
		return nil, err
	}
	side := m.n + 2*qrQuietZone
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+"\n", side, side)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n<g fill=\"#000\">\n", side, side)
	for y := range m.n {
		for x := range m.n {
			if m.at(x, y) {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="1" height="1"/>`, x+qrQuietZone, y+qrQuietZone)
			}
		}
		b.WriteByte('\n')
	}
	b.WriteString("</g>\n</svg>\n")
	return b.Bytes(), nil
}
