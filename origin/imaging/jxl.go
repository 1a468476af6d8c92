package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// JPEG XL policy: libvips 8.14 marks its JPEG XL loader (libjxl 0.7)
// untrusted, and untrusted loaders are blocked in this process, so a JPEG
// XL input is never decoded. As for SVG (svg.go), Probe accepts it with
// the size its codestream header declares (read here, in Go), uploads
// store it, and Transform hands it back unchanged when nothing is asked of
// it; any transformation or format change of a JPEG XL answers 400. The
// JPEG XL saver, which only ever sees pixels this package decoded, is
// allowed (save_formats.go).

// jxlContainer is the signature box of the ISO BMFF form of JPEG XL.
var jxlContainer = []byte("\x00\x00\x00\x0cJXL \r\n\x87\n")

// errJXL is a JPEG XL whose header this package cannot read.
var errJXL = errors.New("unsupported or corrupt JPEG XL")

// isJXL recognises a bare codestream (FF 0A) or the container's
// signature box.
func isJXL(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xff && b[1] == 0x0a || bytes.HasPrefix(b, jxlContainer)
}

// jxlCodestream finds the codestream: the file itself, or the payload of
// the container's first jxlc or jxlp box (a jxlp box starts with a 4-byte
// index).
func jxlCodestream(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, jxlContainer) {
		return b, nil
	}
	for i := len(jxlContainer); i+8 <= len(b); {
		size, typ, head := uint64(binary.BigEndian.Uint32(b[i:])), string(b[i+4:i+8]), uint64(8)
		switch size {
		case 0: // to the end of the file
			size = uint64(len(b) - i)
		case 1:
			if i+16 > len(b) {
				return nil, errJXL
			}
			size, head = binary.BigEndian.Uint64(b[i+8:]), 16
		}
		if size < head || size > uint64(len(b)-i) {
			return nil, errJXL
		}
		switch typ {
		case "jxlc":
			return b[i+int(head) : i+int(size)], nil
		case "jxlp":
			if size < head+4 {
				return nil, errJXL
			}
			return b[i+int(head)+4 : i+int(size)], nil
		}
		i += int(size)
	}
	return nil, errJXL
}

// jxlBits reads a codestream's bits, least significant first.
type jxlBits struct {
	b   []byte
	pos int // in bits
	err bool
}

func (r *jxlBits) u(n int) uint32 {
	var v uint32
	for i := 0; i < n; i++ {
		if r.pos/8 >= len(r.b) {
			r.err = true
			return 0
		}
		v |= uint32(r.b[r.pos/8]>>(r.pos%8)&1) << i
		r.pos++
	}
	return v
}

// size reads a SizeHeader dimension: U32(1 + u(9), 1 + u(13), 1 + u(18),
// 1 + u(30)).
func (r *jxlBits) size() int {
	return int(r.u([...]int{9, 13, 18, 30}[r.u(2)])) + 1
}

// jxlSize reads a JPEG XL's width and height from its SizeHeader, and its
// orientation (1-8) from the ImageMetadata that follows, as the JPEG XL
// specification (ISO/IEC 18181-1) lays them out.
func jxlSize(b []byte) (w, h, orientation int, err error) {
	cs, err := jxlCodestream(b)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(cs) < 3 || cs[0] != 0xff || cs[1] != 0x0a {
		return 0, 0, 0, errJXL
	}
	r := &jxlBits{b: cs[2:]}
	small := r.u(1) == 1
	if small {
		h = int(r.u(5)+1) * 8
	} else {
		h = r.size()
	}
	ratio := r.u(3)
	switch ratio {
	case 0:
		if small {
			w = int(r.u(5)+1) * 8
		} else {
			w = r.size()
		}
	default:
		num := [...]int64{1, 1, 12, 4, 3, 16, 5, 2}[ratio]
		den := [...]int64{1, 1, 10, 3, 2, 9, 4, 1}[ratio]
		w = int(int64(h) * num / den)
	}
	orientation = 1
	if allDefault := r.u(1) == 1; !allDefault {
		if extra := r.u(1) == 1; extra {
			orientation = int(r.u(3)) + 1
		}
	}
	if r.err || w <= 0 || h <= 0 || w > 1<<30 || h > 1<<30 {
		return 0, 0, 0, errJXL
	}
	return w, h, orientation, nil
}

// jxlInfo is Probe's answer for a JPEG XL: its size upright.
func jxlInfo(b []byte) (Info, error) {
	w, h, orientation, err := jxlSize(b)
	if err != nil {
		return Info{}, invalidImage(err)
	}
	if orientation >= 5 { // libjxl turns the pixels upright when it decodes
		w, h = h, w
	}
	return Info{Format: delivery.JXL, Width: w, Height: h, Pages: 1}, nil
}

// jxlPassthrough hands a JPEG XL back untouched when nothing is asked of
// it: it is never decoded here.
func jxlPassthrough(src []byte, pln *plan, f delivery.Format) (Result, error) {
	if !pln.empty() || f != delivery.FormatNone && f != delivery.JXL {
		return Result{}, delivery.Errorf(http.StatusBadRequest, "Transformations of JPEG XL images are not supported")
	}
	info, err := jxlInfo(src)
	if err != nil {
		return Result{}, err
	}
	return Result{Body: src, Format: delivery.JXL, Width: info.Width, Height: info.Height}, nil
}
