package cardimage

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"

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
// and it still reads) in the most compact mode that holds it.
func encodeQR(content string) (*qrMatrix, error) {
	if content == "" {
		return nil, cardbot.Errorf(cardbot.Invalid, "nothing to put in the QR code")
	}
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, cardbot.Errorf(cardbot.Invalid, "the QR content is too long (%d bytes)", len(content))
	}
	n := code.Bounds().Dx()
	m := &qrMatrix{n: n, dark: make([]bool, n*n)}
	for y := range n {
		for x := range n {
			r, _, _, _ := code.At(x, y).RGBA()
			m.dark[y*n+x] = r < 0x8000
		}
	}
	return m, nil
}

func (m *qrMatrix) at(x, y int) bool { return m.dark[y*m.n+x] }

// drawQRBlock draws the white rounded square and the code centred in it with whole-pixel modules
// (blurred module edges read worse) and at least the standard quiet zone.
func drawQRBlock(img *image.RGBA, m *qrMatrix, block image.Rectangle) {
	fillRoundRect(img, block, qrBlockR, color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF})
	px := block.Dx() / (m.n + 2*qrQuietZone)
	origin := block.Min.Add(image.Pt((block.Dx()-px*m.n)/2, (block.Dy()-px*m.n)/2))
	ink := color.RGBA{R: 0x11, G: 0x11, B: 0x11, A: 0xFF}
	for y := range m.n {
		for x := range m.n {
			if m.at(x, y) {
				r := image.Rect(x*px, y*px, (x+1)*px, (y+1)*px).Add(origin)
				fillRect(img, r, ink)
			}
		}
	}
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

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
