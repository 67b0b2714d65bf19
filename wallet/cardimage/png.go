package cardimage

import (
	"encoding/binary"
	"hash/crc32"
)

// pngParts is a palette PNG of which only a band of rows changes from card to card. The rows above and
// below the band are deflated once, each as a stream segment of its own that ends on a byte boundary
// (a sync flush), so a card deflates only its band and the file is the cached head, the band, the
// cached tail and the checksum. Deflate allows this: a segment compressed on its own makes no
// back-references before its start. Rows use filter type None, as the PNG specification advises for
// palette images.
type pngParts struct {
	width            int
	head, tail       []byte // head: signature, IHDR, PLTE, tRNS and an IDAT of the zlib header and rows above the band; tail: an IDAT of the rows below, ending the stream
	headSum, tailSum uint32 // Adler-32 of the raw (filtered) rows above and below the band
	tailLen          int
}

// newPNGParts prepares a width×height palette PNG; above and below are the raw rows (each a filter
// byte and width indices) outside the band.
func newPNGParts(width, height int, pal []sample, above, below []byte) *pngParts {
	head := []byte("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 3 // 8 bits per index, palette; compression, filter and interlace methods 0
	head = appendChunk(head, "IHDR", ihdr[:])
	plte := make([]byte, 0, 3*len(pal))
	trns := make([]byte, 0, len(pal))
	lastAlpha := -1
	for i, s := range pal {
		plte = append(plte, s[0], s[1], s[2])
		trns = append(trns, s[3])
		if s[3] != 0xFF {
			lastAlpha = i
		}
	}
	head = appendChunk(head, "PLTE", plte)
	if lastAlpha >= 0 {
		head = appendChunk(head, "tRNS", trns[:lastAlpha+1])
	}
	seg := []byte{0x78, 0x01} // zlib header: deflate, 32 KB window, fastest
	head = appendChunk(head, "IDAT", deflateRows(seg, above, width+1))
	// The rows below, then deflate's last block: empty, fixed codes (BFINAL 1, BTYPE 01, end of block).
	seg = append(deflateRows(nil, below, width+1), 0x03, 0x00)
	tail := appendChunk(nil, "IDAT", seg)
	return &pngParts{
		width: width, head: head, tail: tail,
		headSum: adler32Sum(1, above), tailSum: adler32Sum(1, below), tailLen: len(below),
	}
}

// segmentCoder appends a band's deflate segment to dst and returns it with the band's Adler-32.
type segmentCoder func(dst []byte) ([]byte, uint32)

// encode returns the whole PNG with band (raw rows) between the cached parts; code writes the band's
// segment (a card's, from its template), nil codes every byte plainly. The segment is written
// straight into the file, its chunk's length and checksum filled in after.
func (p *pngParts) encode(band []byte, code segmentCoder) []byte {
	out := make([]byte, 0, len(p.head)+len(p.tail)+len(band)/12+64)
	out = append(out, p.head...)
	at := len(out)
	out = append(out, 0, 0, 0, 0, 'I', 'D', 'A', 'T')
	var bandSum uint32
	if code != nil {
		out, bandSum = code(out)
	} else {
		out, bandSum = deflateRows(out, band, p.width+1), adler32Sum(1, band)
	}
	binary.BigEndian.PutUint32(out[at:], uint32(len(out)-at-8))
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[at+4:]))
	out = append(out, p.tail...)
	sum := adler32Combine(p.headSum, bandSum, len(band))
	sum = adler32Combine(sum, p.tailSum, p.tailLen)
	out = appendChunk(out, "IDAT", binary.BigEndian.AppendUint32(nil, sum))
	return appendChunk(out, "IEND", nil)
}

// adler32Combine returns the Adler-32 of the concatenation of two byte strings from their sums and the
// length of the second (as zlib's adler32_combine).
func adler32Combine(a1, a2 uint32, len2 int) uint32 {
	const base = 65521
	rem := uint32(len2 % base)
	s1 := a1 & 0xFFFF
	s2 := rem * s1 % base
	s1 += (a2 & 0xFFFF) + base - 1
	s2 += (a1 >> 16) + (a2 >> 16) + base - rem
	if s1 >= base {
		s1 -= base
	}
	if s1 >= base {
		s1 -= base
	}
	if s2 >= 2*base {
		s2 -= 2 * base
	}
	if s2 >= base {
		s2 -= base
	}
	return s1 | s2<<16
}

// appendChunk appends one PNG chunk: length, type, data and the CRC of type and data.
func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	at := len(out)
	out = append(append(out, typ...), data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[at:]))
}
