package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/draw"
	"image/png"
)

// ICO is read and written here, in Go, like BMP: libvips has no loader or
// saver of its own for it (only ImageMagick's, which is refused for
// untrusted input). An ICO file is a directory of images, each a PNG or a
// BMP without its file header (a DIB whose height counts the colour rows
// and the 1-bit transparency mask below them). The largest image is the
// one read (at most 256×256: an image declaring more is refused); PNG
// images are decoded by Go's image/png, DIBs by bmp.go.
// Written icons hold one 32-bit DIB with its alpha, at most 256×256
// (maxICOSide), which every ICO reader takes.

// maxICOSide is the largest side an ICO image can declare (a 0 byte in
// the directory means 256).
const maxICOSide = 256

// errICO is any ICO this package does not read.
var errICO = errors.New("unsupported or corrupt ICO")

// icoEntry is the image of an ICO file that is read.
type icoEntry struct {
	data          []byte // the image's bytes: a PNG, or a DIB
	png           bool
	width, height int // from the PNG's IHDR or the DIB's header
}

// isICO recognises an icon directory: reserved 0, type 1, at least one
// entry, and a first entry that points past the directory.
func isICO(b []byte) bool {
	if len(b) < 22 || b[0] != 0 || b[1] != 0 || b[2] != 1 || b[3] != 0 {
		return false
	}
	n := int(binary.LittleEndian.Uint16(b[4:6]))
	if n == 0 {
		return false
	}
	off := binary.LittleEndian.Uint32(b[6+12 : 6+16])
	return b[6+3] == 0 && int64(off) >= 6+16*int64(n) // reserved byte, data after the directory
}

// icoLargest picks the image with the most pixels (then the most bits per
// pixel) and checks that its bytes are in the file.
func icoLargest(b []byte) (icoEntry, error) {
	if !isICO(b) {
		return icoEntry{}, errICO
	}
	le := binary.LittleEndian
	n := int(le.Uint16(b[4:6]))
	if len(b) < 6+16*n {
		return icoEntry{}, errICO
	}
	best, bestArea, bestBPP := -1, 0, 0
	for i := 0; i < n; i++ {
		d := b[6+16*i:]
		w, h := int(d[0]), int(d[1])
		if w == 0 {
			w = maxICOSide
		}
		if h == 0 {
			h = maxICOSide
		}
		bpp := int(le.Uint16(d[6:8]))
		if w*h > bestArea || w*h == bestArea && bpp > bestBPP {
			best, bestArea, bestBPP = i, w*h, bpp
		}
	}
	d := b[6+16*best:]
	size, off := int64(le.Uint32(d[8:12])), int64(le.Uint32(d[12:16]))
	if size < 16 || off < 6+16*int64(n) || off+size > int64(len(b)) {
		return icoEntry{}, errICO
	}
	e := icoEntry{data: b[off : off+size]}
	if bytes.HasPrefix(e.data, []byte("\x89PNG\r\n\x1a\n")) {
		if len(e.data) < 24 || string(e.data[12:16]) != "IHDR" {
			return icoEntry{}, errICO
		}
		e.png = true
		e.width, e.height = int(binary.BigEndian.Uint32(e.data[16:20])), int(binary.BigEndian.Uint32(e.data[20:24]))
	} else {
		h, err := icoDIB(e.data)
		if err != nil {
			return icoEntry{}, err
		}
		e.width, e.height = h.width, h.height
	}
	if e.width <= 0 || e.height <= 0 || e.width > maxICOSide || e.height > maxICOSide {
		return icoEntry{}, errICO // an icon is at most 256×256, whatever its image says
	}
	return e, nil
}

// icoDIB reads an icon's DIB header as bmp.go reads a BMP: the file header
// BMP has and ICO lacks is put in front, and the height halved (the DIB
// counts the transparency mask's rows too). A 32-bit DIB's fourth byte is
// its alpha.
func icoDIB(dib []byte) (bmpInfo, error) {
	le := binary.LittleEndian
	if len(dib) < 40 || le.Uint32(dib[0:4]) != 40 {
		return bmpInfo{}, errICO
	}
	height := int32(le.Uint32(dib[8:12]))
	if height <= 0 || height%2 != 0 {
		return bmpInfo{}, errICO
	}
	bpp, colors := int(le.Uint16(dib[14:16])), int(le.Uint32(dib[32:36]))
	palette := 0
	if bpp <= 8 {
		if colors <= 0 || colors > 1<<bpp {
			colors = 1 << bpp
		}
		palette = 4 * colors
	}
	file := make([]byte, 14+len(dib))
	copy(file, "BM")
	le.PutUint32(file[2:], uint32(len(file)))
	le.PutUint32(file[10:], uint32(14+40+palette))
	copy(file[14:], dib)
	le.PutUint32(file[14+8:], uint32(height/2))
	h, err := bmpHeader(file)
	if err != nil {
		return bmpInfo{}, errICO
	}
	if h.bpp == 32 && h.masks[3] == 0 {
		h.masks[3], h.alpha = 0xff000000, true
	}
	return h, nil
}

// decodeICO decodes e into 8-bit RGBA rows, top row first (len(out) is
// width × height × 4). A DIB without alpha of its own (or a 32-bit one
// whose alpha is all zero) takes its transparency from the 1-bit mask
// after the colour rows; a mask missing from the file leaves it opaque.
func decodeICO(e icoEntry, out []byte) error {
	if len(out) != e.width*e.height*4 {
		return errICO
	}
	if e.png {
		img, err := png.Decode(bytes.NewReader(e.data))
		if err != nil || img.Bounds().Dx() != e.width || img.Bounds().Dy() != e.height {
			return errICO
		}
		dst := &image.NRGBA{Pix: out, Stride: 4 * e.width, Rect: image.Rect(0, 0, e.width, e.height)}
		draw.Draw(dst, dst.Rect, img, img.Bounds().Min, draw.Src)
		return nil
	}
	h, err := icoDIB(e.data)
	if err != nil {
		return err
	}
	file := make([]byte, 14+len(e.data)) // as icoDIB made it: bmp.go reads rows from the file's start
	copy(file[14:], e.data)
	if h.bands() == 4 {
		if err := decodeBMP(file, h, out); err != nil {
			return errICO
		}
		for i := 3; i < len(out); i += 4 {
			if out[i] != 0 {
				return nil
			}
		}
		for i := 3; i < len(out); i += 4 { // all transparent: the mask decides
			out[i] = 0xff
		}
	} else {
		rgb := make([]byte, h.width*h.height*3)
		if err := decodeBMP(file, h, rgb); err != nil {
			return errICO
		}
		for i := 0; i < h.width*h.height; i++ {
			copy(out[4*i:4*i+3], rgb[3*i:3*i+3])
			out[4*i+3] = 0xff
		}
	}
	maskStride := (h.width + 31) / 32 * 4
	mask := h.offset + h.rowBytes()*h.height
	if mask+maskStride*h.height > len(file) {
		return nil
	}
	for y := 0; y < h.height; y++ {
		row := file[mask+(h.height-1-y)*maskStride:]
		for x := 0; x < h.width; x++ {
			if row[x/8]&(0x80>>(x%8)) != 0 {
				out[4*(y*h.width+x)+3] = 0
			}
		}
	}
	return nil
}

// encodeICO writes an icon of one 32-bit DIB from 8-bit rows of bands 3
// (RGB) or 4 (RGBA), top row first; width and height are at most
// maxICOSide. Its transparency mask is all zero: the alpha byte decides.
func encodeICO(pix []byte, width, height, bands int) []byte {
	le := binary.LittleEndian
	maskStride := (width + 31) / 32 * 4
	dib := 40 + width*height*4 + maskStride*height
	out := make([]byte, 6+16+dib)
	le.PutUint16(out[2:], 1) // icon
	le.PutUint16(out[4:], 1) // one image
	d := out[6:]
	d[0], d[1] = byte(width%maxICOSide), byte(height%maxICOSide) // 256 is written 0
	le.PutUint16(d[4:], 1)                                       // planes
	le.PutUint16(d[6:], 32)
	le.PutUint32(d[8:], uint32(dib))
	le.PutUint32(d[12:], 6+16)
	h := out[22:]
	le.PutUint32(h[0:], 40)
	le.PutUint32(h[4:], uint32(width))
	le.PutUint32(h[8:], uint32(2*height))
	le.PutUint16(h[12:], 1)
	le.PutUint16(h[14:], 32)
	le.PutUint32(h[20:], uint32(width*height*4))
	rows := out[22+40:]
	for y := 0; y < height; y++ {
		src := pix[(height-1-y)*width*bands:]
		dst := rows[y*width*4:]
		for x := 0; x < width; x++ {
			p, q := src[x*bands:], dst[4*x:]
			q[0], q[1], q[2], q[3] = p[2], p[1], p[0], 0xff
			if bands == 4 {
				q[3] = p[3]
			}
		}
	}
	return out
}
