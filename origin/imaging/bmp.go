package imaging

import (
	"encoding/binary"
	"errors"
)

// BMP is read here, in Go: libvips has no loader of its own for it (only
// ImageMagick's, which is refused for untrusted input), and the format is
// simple enough to decode safely. bmpHeader reads the header only;
// decodeBMP turns the pixels into 8-bit RGB or RGBA rows, top row first,
// which the C side wraps as a libvips image (mc_from_pixels).
//
// Supported: the Windows headers (BITMAPINFOHEADER and its V2-V5
// extensions) and OS/2's BITMAPCOREHEADER; 1, 4 and 8 bits per pixel with
// a palette; 16 and 32 bits with bit fields (or the default 5-5-5 and
// 8-8-8); 24 bits. Run-length compressed and embedded JPEG/PNG bitmaps are
// refused as invalid.

// bmpInfo is what a BMP header says.
type bmpInfo struct {
	width, height int
	topDown       bool
	bpp           int
	offset        int // where the pixel rows start
	palette       [][3]byte
	masks         [4]uint32 // red, green, blue, alpha (bit fields)
	alpha         bool      // the alpha mask is set
}

// errBMP is any BMP this package does not read.
var errBMP = errors.New("unsupported or corrupt BMP")

// isBMP recognises a BMP file header followed by a known DIB header size.
func isBMP(b []byte) bool {
	if len(b) < 18 || b[0] != 'B' || b[1] != 'M' {
		return false
	}
	switch binary.LittleEndian.Uint32(b[14:18]) {
	case 12, 40, 52, 56, 108, 124:
		return true
	}
	return false
}

// bmpHeader parses the file and DIB headers and the palette.
func bmpHeader(b []byte) (bmpInfo, error) {
	var h bmpInfo
	if !isBMP(b) {
		return h, errBMP
	}
	le := binary.LittleEndian
	h.offset = int(le.Uint32(b[10:14]))
	dib := int(le.Uint32(b[14:18]))
	if len(b) < 14+dib {
		return h, errBMP
	}
	d := b[14 : 14+dib]
	compression := uint32(0)
	colors := 0
	if dib == 12 { // BITMAPCOREHEADER: 16-bit sizes, 3-byte palette entries
		h.width, h.height = int(le.Uint16(d[4:6])), int(le.Uint16(d[6:8]))
		h.bpp = int(le.Uint16(d[10:12]))
	} else {
		h.width, h.height = int(int32(le.Uint32(d[4:8]))), int(int32(le.Uint32(d[8:12])))
		h.bpp = int(le.Uint16(d[14:16]))
		compression = le.Uint32(d[16:20])
		colors = int(le.Uint32(d[32:36]))
	}
	if h.height < 0 {
		h.topDown, h.height = true, -h.height
	}
	if h.width <= 0 || h.height <= 0 || h.width > 1<<20 || h.height > 1<<20 {
		return h, errBMP
	}
	switch {
	case compression == 0 && (h.bpp == 1 || h.bpp == 4 || h.bpp == 8 || h.bpp == 24):
	case compression == 0 && h.bpp == 16:
		h.masks = [4]uint32{0x7c00, 0x03e0, 0x001f, 0}
	case compression == 0 && h.bpp == 32:
		h.masks = [4]uint32{0xff0000, 0xff00, 0xff, 0}
	case (compression == 3 || compression == 6) && (h.bpp == 16 || h.bpp == 32):
		// The masks follow a 40-byte header, or are part of a longer one.
		m := d[40:]
		if dib == 40 {
			n := 12
			if compression == 6 {
				n = 16
			}
			if len(b) < 14+40+n {
				return h, errBMP
			}
			m = b[14+40 : 14+40+n]
		}
		for i := 0; i < 4 && 4*i+4 <= len(m); i++ {
			h.masks[i] = le.Uint32(m[4*i:])
		}
		if h.masks[0] == 0 || h.masks[1] == 0 || h.masks[2] == 0 {
			return h, errBMP
		}
		h.alpha = h.masks[3] != 0
	default:
		return h, errBMP
	}
	if h.bpp <= 8 {
		entry, start := 4, 14+dib
		if dib == 12 {
			entry = 3
		}
		if colors <= 0 || colors > 1<<h.bpp {
			colors = 1 << h.bpp
		}
		if len(b) < start+colors*entry {
			return h, errBMP
		}
		h.palette = make([][3]byte, colors)
		for i := range h.palette {
			p := b[start+i*entry:]
			h.palette[i] = [3]byte{p[2], p[1], p[0]}
		}
	}
	if h.offset < 14+dib || int64(h.offset)+int64(h.rowBytes())*int64(h.height) > int64(len(b)) {
		return h, errBMP // truncated
	}
	return h, nil
}

// rowBytes is one stored row, padded to four bytes.
func (h bmpInfo) rowBytes() int { return (h.width*h.bpp + 31) / 32 * 4 }

// bands is 4 for an image with alpha, else 3.
func (h bmpInfo) bands() int {
	if h.alpha {
		return 4
	}
	return 3
}

// decodeBMP writes the pixels into out (width × height × bands bytes),
// top row first.
func decodeBMP(b []byte, h bmpInfo, out []byte) error {
	bands, stride := h.bands(), h.rowBytes()
	if len(out) != h.width*h.height*bands {
		return errBMP
	}
	for y := 0; y < h.height; y++ {
		src := y
		if !h.topDown {
			src = h.height - 1 - y
		}
		row := b[h.offset+src*stride : h.offset+(src+1)*stride]
		dst := out[y*h.width*bands : (y+1)*h.width*bands]
		for x := 0; x < h.width; x++ {
			px := dst[x*bands : (x+1)*bands]
			switch h.bpp {
			case 1, 4, 8:
				bit := x * h.bpp
				i := int(row[bit/8]>>(8-h.bpp-bit%8)) & (1<<h.bpp - 1)
				if i >= len(h.palette) {
					return errBMP
				}
				copy(px, h.palette[i][:])
			case 24:
				px[0], px[1], px[2] = row[3*x+2], row[3*x+1], row[3*x]
			case 16:
				v := uint32(binary.LittleEndian.Uint16(row[2*x:]))
				h.unpack(v, px)
			case 32:
				h.unpack(binary.LittleEndian.Uint32(row[4*x:]), px)
			}
		}
	}
	return nil
}

// unpack spreads a bit-field pixel over 8-bit channels.
func (h bmpInfo) unpack(v uint32, px []byte) {
	for c := 0; c < len(px); c++ {
		px[c] = scaleMask(v, h.masks[c])
	}
}

// scaleMask extracts the bits of mask from v, scaled to 0-255.
func scaleMask(v, mask uint32) byte {
	if mask == 0 {
		return 0
	}
	shift := 0
	for mask&1 == 0 {
		mask >>= 1
		shift++
	}
	bits := 0
	for m := mask; m&1 == 1; m >>= 1 {
		bits++
	}
	x := (v >> shift) & mask
	if bits >= 8 {
		return byte(x >> (bits - 8))
	}
	return byte(x * 255 / mask)
}
