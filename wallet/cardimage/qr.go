package cardimage

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

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
// most even share of dark modules, which reads best. The encoder here builds each masked code in a
// fraction of the time the previous library took to score its masks, the largest part of a card.
func encodeQR(content string) (*qrMatrix, error) {
	if content == "" {
		return nil, cardbot.Errorf(cardbot.Invalid, "nothing to put in the QR code")
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
			return nil, cardbot.Errorf(cardbot.Invalid, "the QR content is too long (%d bytes)", len(content))
		}
	}
	var best *qrMatrix
	bestScore := 0
	for mask := range coding.Mask(8) {
		plan, err := coding.NewPlan(v, coding.M, mask)
		if err != nil {
			return nil, err
		}
		code, err := plan.Encode(enc)
		if err != nil {
			return nil, err
		}
		m := &qrMatrix{n: code.Size, dark: make([]bool, code.Size*code.Size)}
		for y := range m.n {
			for x := range m.n {
				m.dark[y*m.n+x] = code.Black(x, y)
			}
		}
		if score := m.penalty(); best == nil || score < bestScore {
			best, bestScore = m, score
		}
	}
	return best, nil
}

// penalty scores a masked code as ISO/IEC 18004 (8.8.2) does: lower reads better.
func (m *qrMatrix) penalty() int {
	n, score, dark := m.n, 0, 0
	line := make([]bool, n)
	for i := range n {
		for _, vertical := range []bool{false, true} {
			for j := range n {
				if vertical {
					line[j] = m.at(i, j)
				} else {
					line[j] = m.at(j, i)
				}
			}
			score += linePenalty(line)
		}
		for j := range n {
			if m.at(j, i) {
				dark++
			}
			if i+1 < n && j+1 < n {
				c := m.at(j, i)
				if m.at(j+1, i) == c && m.at(j, i+1) == c && m.at(j+1, i+1) == c {
					score += 3 // a 2×2 block of one colour
				}
			}
		}
	}
	pct := dark * 100 / (n * n)
	return score + 10*(max(pct-50, 50-pct)/5)
}

// finder is the 1:1:3:1:1 dark-light ratio of a finder pattern, one module a unit.
var finder = [7]bool{true, false, true, true, true, false, true}

// linePenalty scores one row or column: runs of five or more modules of one colour (3, plus 1 for
// each module over five) and finder-like patterns with four light modules on either side (40 each;
// outside the symbol counts as light).
func linePenalty(line []bool) int {
	n, score := len(line), 0
	run := 1
	for j := 1; j <= n; j++ {
		if j < n && line[j] == line[j-1] {
			run++
			continue
		}
		if run >= 5 {
			score += run - 2
		}
		run = 1
	}
	light := func(from, to int) bool {
		for k := max(from, 0); k < min(to, n); k++ {
			if line[k] {
				return false
			}
		}
		return true
	}
	for s := 0; s+len(finder) <= n; s++ {
		match := true
		for k, d := range finder {
			if line[s+k] != d {
				match = false
				break
			}
		}
		if match && (light(s-4, s) || light(s+7, s+11)) {
			score += 40
		}
	}
	return score
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
