package cardimage

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// deflateRows compresses a card's band: rows of palette indices in which almost every byte repeats
// the byte before it (a run of one colour) or a byte of the row above, one or two pixels to the side
// (a QR module's height, the diagonal gradient). A general compressor hashes every position to find
// such repeats; this one only looks at those few distances, so it does a fraction of the work, and
// it writes them with deflate's fixed codes, so there is no code table to build either. The result
// is a standard deflate segment (one fixed-code block, then an empty stored block so that it ends on
// a byte boundary, as a sync flush does) that refers to nothing before its own start.
func deflateRows(dst, src []byte, stride int) []byte {
	w := bitWriter{out: dst}
	w.put(0b010, 3) // BFINAL 0, BTYPE 01: fixed codes
	newRowMatcher(stride).encode(&w, src, 0, len(src), nil)
	return endSegment(&w)
}

// endSegment ends the fixed-code block and the segment, on a byte boundary, and returns the bytes.
func endSegment(w *bitWriter) []byte {
	end := fixedLiterals[endOfBlock]
	w.put(uint64(end.bits), uint(end.n))
	w.put(0, 3) // BFINAL 0, BTYPE 00: an empty stored block, so that the segment ends on a byte
	w.flushToByte()
	return append(w.out, 0x00, 0x00, 0xFF, 0xFF) // LEN 0, NLEN its complement
}

// rowMatcher looks for repeats at the distances rows of one width have: the byte before (a run),
// the byte above and those one or two pixels beside it.
type rowMatcher struct {
	dists []int
	codes []fixedCode // the distances' codes
}

func newRowMatcher(stride int) *rowMatcher {
	m := &rowMatcher{}
	for _, d := range [...]int{1, stride, stride - 1, stride + 1, stride - 2, stride + 2} {
		if d >= 1 && d <= maxDistance && !slices.Contains(m.dists, d) {
			m.dists, m.codes = append(m.dists, d), append(m.codes, distanceCode(d))
		}
	}
	return m
}

// token is one literal (dist 0) or copy the matcher wrote, with its code ready for the bit writer.
type token struct {
	pos        int32
	len, dist  uint16
	code       uint32
	codeLength uint8
}

// encode writes src[from:to] as literals and copies; a copy may come from anywhere in src before
// the byte it starts at but stops at to. When record is given, every token is appended to it too.
func (m *rowMatcher) encode(w *bitWriter, src []byte, from, to int, record *[]token) {
	bestK := 0
	for i := from; i < to; {
		// The distance that matched last usually matches again (the next stretch of a copied row):
		// try it first, and try another only where it could beat it (the byte just past the best
		// match so far must agree).
		best := 0
		if d := m.dists[bestK]; d <= i {
			best = matchLen(src[i:to], src[i-d:])
		}
		for k, d := range m.dists {
			if best == maxMatch || i+best >= to {
				break
			}
			if k != bestK && d <= i && src[i+best] == src[i-d+best] {
				if n := matchLen(src[i:to], src[i-d:]); n > best {
					best, bestK = n, k
				}
			}
		}
		t := token{pos: int32(i), len: 1}
		if best < minMatch {
			lit := fixedLiterals[src[i]]
			t.code, t.codeLength = lit.bits, lit.n
		} else {
			l, d := fixedLengths[best], m.codes[bestK]
			t.len, t.dist = uint16(best), uint16(m.dists[bestK])
			t.code, t.codeLength = l.bits|d.bits<<l.n, l.n+d.n
		}
		w.put(uint64(t.code), uint(t.codeLength))
		if record != nil {
			*record = append(*record, t)
		}
		i += int(t.len)
	}
}

// copyRows writes src[from:to], which repeats the bytes one stride before it, as copies of at
// most maxMatch bytes; from and to are at least minMatch apart.
func copyRows(w *bitWriter, from, to int, dist fixedCode) {
	for n := to - from; n > 0; {
		l := min(n, maxMatch)
		if n-l > 0 && n-l < minMatch { // leave a last copy long enough to be one
			l = n - minMatch
		}
		c := fixedLengths[l]
		w.put(uint64(c.bits)|uint64(dist.bits)<<c.n, uint(c.n+dist.n))
		n -= l
	}
}

const (
	minMatch    = 3
	maxMatch    = 258
	endOfBlock  = 256
	maxDistance = 32768
)

// matchLen is how many leading bytes of a (at most maxMatch) equal those of b; b may overlap a from
// behind, as a deflate copy does.
func matchLen(a, b []byte) int {
	a = a[:min(len(a), maxMatch)]
	b = b[:len(a)]
	n := 0
	for len(a) >= 8 {
		if x := binary.LittleEndian.Uint64(a) ^ binary.LittleEndian.Uint64(b); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		a, b, n = a[8:], b[8:], n+8
	}
	for i := range a {
		if a[i] != b[i] {
			return n + i
		}
	}
	return n + len(a)
}

// fixedCode is a symbol's code with any extra bits after it, ready for the bit writer: n bits,
// first bit lowest.
type fixedCode struct {
	bits uint32
	n    uint8
}

var (
	fixedLiterals [288]fixedCode          // literal/length symbols 0–287
	fixedLengths  [maxMatch + 1]fixedCode // a match length's symbol and extra bits
)

// lengthBase and lengthExtra describe symbols 257–285 (RFC 1951, 3.2.5).
var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
)

func init() {
	for v := range fixedLiterals {
		var code uint32
		var n uint8
		switch {
		case v < 144:
			code, n = 0x30+uint32(v), 8
		case v < 256:
			code, n = 0x190+uint32(v-144), 9
		case v < 280:
			code, n = uint32(v-256), 7
		default:
			code, n = 0xC0+uint32(v-280), 8
		}
		fixedLiterals[v] = fixedCode{bits: reverse(code, n), n: n}
	}
	for s := len(lengthBase) - 1; s >= 0; s-- {
		for l := lengthBase[s]; l <= maxMatch && fixedLengths[l].n == 0; l++ {
			sym := fixedLiterals[257+s]
			extra := uint32(l - lengthBase[s])
			fixedLengths[l] = fixedCode{bits: sym.bits | extra<<sym.n, n: sym.n + lengthExtra[s]}
		}
	}
}

// distanceCode is the fixed code of a distance (1–32768) with its extra bits.
func distanceCode(d int) fixedCode {
	sym, base, extra := 0, 1, uint8(0)
	for sym < 29 { // symbols come in pairs sharing a number of extra bits
		span := 1 << extra
		if d < base+span {
			break
		}
		base += span
		sym++
		if sym >= 4 && sym%2 == 0 {
			extra++
		}
	}
	return fixedCode{bits: reverse(uint32(sym), 5) | uint32(d-base)<<5, n: 5 + extra}
}

// reverse turns a Huffman code, which deflate packs from its highest bit, into the order the bit
// writer sends (lowest first).
func reverse(code uint32, n uint8) uint32 {
	return bits.Reverse32(code) >> (32 - n)
}

// bitWriter packs bits lowest first, as deflate does, 32 at a time.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// put adds the low n bits of b; n is at most 32.
func (w *bitWriter) put(b uint64, n uint) {
	w.acc |= b << w.n
	w.n += n
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.n -= 32
	}
}

// putBits adds n bits kept as put would have written them: 32 a word, lowest first.
func (w *bitWriter) putBits(words []uint32, n uint) {
	for _, word := range words {
		w.put(uint64(word), min(n, 32))
		n -= min(n, 32)
	}
}

// bits returns what was put, for putBits, and how many bits it is.
func (w *bitWriter) bits() ([]uint32, uint) {
	words := make([]uint32, 0, len(w.out)/4+2)
	for i := 0; i+4 <= len(w.out); i += 4 {
		words = append(words, binary.LittleEndian.Uint32(w.out[i:]))
	}
	n := uint(len(w.out))*8 + w.n
	if w.n > 0 {
		words = append(words, uint32(w.acc))
	}
	return words, n
}

// flushToByte writes what is pending, padding the last byte with zero bits.
func (w *bitWriter) flushToByte() {
	for w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= min(w.n, 8)
	}
}
