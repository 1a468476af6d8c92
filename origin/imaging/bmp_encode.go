package imaging

import "encoding/binary"

// encodeBMP writes a BMP, in Go (libvips' only BMP saver is ImageMagick's,
// which is blocked), from 8-bit rows of bands 3 (RGB) or 4 (RGBA), top row
// first: 24-bit with a BITMAPINFOHEADER, or, with alpha, 32-bit with a
// BITMAPV4HEADER whose bit fields name the alpha byte (what browsers and
// ImageMagick read as transparency). Rows are stored bottom-up, padded to
// four bytes.
func encodeBMP(pix []byte, width, height, bands int) []byte {
	le := binary.LittleEndian
	dib, bpp := 40, 24
	if bands == 4 {
		dib, bpp = 108, 32
	}
	stride := (width*bpp + 31) / 32 * 4
	offset := 14 + dib
	out := make([]byte, offset+stride*height)
	copy(out, "BM")
	le.PutUint32(out[2:], uint32(len(out)))
	le.PutUint32(out[10:], uint32(offset))
	h := out[14:]
	le.PutUint32(h[0:], uint32(dib))
	le.PutUint32(h[4:], uint32(width))
	le.PutUint32(h[8:], uint32(height))
	le.PutUint16(h[12:], 1) // planes
	le.PutUint16(h[14:], uint16(bpp))
	le.PutUint32(h[20:], uint32(stride*height))
	le.PutUint32(h[24:], 2835) // 72 dpi
	le.PutUint32(h[28:], 2835)
	if bands == 4 {
		le.PutUint32(h[16:], 3) // BI_BITFIELDS
		le.PutUint32(h[40:], 0x00ff0000)
		le.PutUint32(h[44:], 0x0000ff00)
		le.PutUint32(h[48:], 0x000000ff)
		le.PutUint32(h[52:], 0xff000000)
		copy(h[56:60], "BGRs") // LCS_sRGB, stored little-endian
	}
	for y := 0; y < height; y++ {
		src := pix[(height-1-y)*width*bands:]
		dst := out[offset+y*stride:]
		for x := 0; x < width; x++ {
			p, q := src[x*bands:], dst[x*bpp/8:]
			q[0], q[1], q[2] = p[2], p[1], p[0]
			if bands == 4 {
				q[3] = p[3]
			}
		}
	}
	return out
}
