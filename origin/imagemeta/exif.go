package imagemeta

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// Bounds on what the TIFF parser follows.
const (
	maxIFDEntries = 512
	maxIFDs       = 8
	maxValueBytes = 256 // longer values (maker notes, thumbnails) are skipped
)

// tiff is a TIFF structure being read.
type tiff struct {
	b    []byte
	bo   binary.ByteOrder
	seen map[uint32]bool
	out  map[string]string
}

// parseTIFF reads IFD0 and the Exif, GPS and Interoperability sub-IFDs.
func parseTIFF(b []byte) map[string]string {
	if len(b) < 8 {
		return nil
	}
	t := &tiff{b: b, seen: map[uint32]bool{}, out: map[string]string{}}
	switch string(b[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil
	}
	if t.bo.Uint16(b[2:]) != 42 {
		return nil
	}
	t.ifd(t.bo.Uint32(b[4:]), tiffTags)
	if len(t.out) == 0 {
		return nil
	}
	return t.out
}

// Sub-IFD pointer tags.
const (
	tagExifIFD    = 0x8769
	tagGPSIFD     = 0x8825
	tagInteropIFD = 0xA005
)

// ifd reads one IFD with the tag names in names, following sub-IFDs.
func (t *tiff) ifd(off uint32, names map[uint16]string) {
	if t.seen[off] || len(t.seen) >= maxIFDs || int64(off)+2 > int64(len(t.b)) {
		return
	}
	t.seen[off] = true
	n := int(t.bo.Uint16(t.b[off:]))
	if n > maxIFDEntries {
		return
	}
	for i := 0; i < n; i++ {
		e := int(off) + 2 + 12*i
		if e+12 > len(t.b) {
			return
		}
		tag, typ, count := t.bo.Uint16(t.b[e:]), t.bo.Uint16(t.b[e+2:]), t.bo.Uint32(t.b[e+4:])
		switch tag {
		case tagExifIFD:
			t.ifd(t.bo.Uint32(t.b[e+8:]), tiffTags)
			continue
		case tagGPSIFD:
			t.ifd(t.bo.Uint32(t.b[e+8:]), gpsTags)
			continue
		case tagInteropIFD:
			continue
		}
		name, ok := names[tag]
		if !ok {
			continue
		}
		if v, ok := t.value(typ, count, t.b[e+8:e+12]); ok {
			t.out[name] = v
		}
	}
}

// typeSizes are the byte sizes of the TIFF field types 1-12.
var typeSizes = [...]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// value formats one field: inline in the entry's 4 bytes, or at an offset.
func (t *tiff) value(typ uint16, count uint32, inline []byte) (string, bool) {
	if int(typ) >= len(typeSizes) || typeSizes[typ] == 0 || count == 0 {
		return "", false
	}
	size := int64(typeSizes[typ]) * int64(count)
	if size > maxValueBytes {
		return "", false
	}
	data := inline
	if size > 4 {
		off := int64(t.bo.Uint32(inline))
		if off+size > int64(len(t.b)) {
			return "", false
		}
		data = t.b[off : off+size]
	}
	data = data[:size]
	if typ == 2 {
		return strings.TrimSpace(strings.TrimRight(string(data), "\x00")), true
	}
	parts := make([]string, 0, count)
	for i := 0; i < int(count); i++ {
		parts = append(parts, t.element(typ, data[i*typeSizes[typ]:]))
	}
	return strings.Join(parts, ", "), true
}

func (t *tiff) element(typ uint16, d []byte) string {
	switch typ {
	case 1, 7:
		return strconv.Itoa(int(d[0]))
	case 6:
		return strconv.Itoa(int(int8(d[0])))
	case 3:
		return strconv.Itoa(int(t.bo.Uint16(d)))
	case 8:
		return strconv.Itoa(int(int16(t.bo.Uint16(d))))
	case 4:
		return strconv.FormatUint(uint64(t.bo.Uint32(d)), 10)
	case 9:
		return strconv.Itoa(int(int32(t.bo.Uint32(d))))
	case 5:
		return strconv.FormatUint(uint64(t.bo.Uint32(d)), 10) + "/" + strconv.FormatUint(uint64(t.bo.Uint32(d[4:])), 10)
	case 10:
		return strconv.Itoa(int(int32(t.bo.Uint32(d)))) + "/" + strconv.Itoa(int(int32(t.bo.Uint32(d[4:]))))
	case 11:
		return strconv.FormatFloat(float64(float32frombits(t.bo.Uint32(d))), 'g', -1, 32)
	case 12:
		return strconv.FormatFloat(float64frombits(t.bo.Uint64(d)), 'g', -1, 64)
	}
	return ""
}
