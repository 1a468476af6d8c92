package imagemeta

import (
	"bytes"
	"encoding/binary"
)

var (
	exifHeader = []byte("Exif\x00\x00")
	xmpHeader  = []byte("http://ns.adobe.com/xap/1.0/\x00")
	psHeader   = []byte("Photoshop 3.0\x00")
)

// jpegBlocks walks the JPEG markers up to the start of scan.
func jpegBlocks(b []byte) blocks {
	var out blocks
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return out
		}
		marker := b[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD8 || marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 {
			return out
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return out
		}
		seg := b[i+4 : i+2+n]
		switch {
		case marker == 0xE1 && bytes.HasPrefix(seg, exifHeader) && out.exif == nil:
			out.exif = seg[len(exifHeader):]
		case marker == 0xE1 && bytes.HasPrefix(seg, xmpHeader) && out.xmp == nil:
			out.xmp = seg[len(xmpHeader):]
		case marker == 0xED && bytes.HasPrefix(seg, psHeader) && out.iptc == nil:
			out.iptc = seg[len(psHeader):]
		}
		i += 2 + n
	}
	return out
}

// pngBlocks walks the PNG chunks: eXIf, and iTXt with the XMP keyword.
func pngBlocks(b []byte) blocks {
	var out blocks
	i := 8
	for i+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > maxSegment || i+12+n > len(b) {
			return out
		}
		data := b[i+8 : i+8+n]
		switch typ {
		case "eXIf":
			out.exif = bytes.TrimPrefix(data, exifHeader)
		case "iTXt":
			if x := pngXMP(data); x != nil {
				out.xmp = x
			}
		case "IEND":
			return out
		}
		i += 12 + n
	}
	return out
}

// pngXMP returns an uncompressed iTXt chunk's text when its keyword is
// XML:com.adobe.xmp.
func pngXMP(data []byte) []byte {
	key, rest, ok := bytes.Cut(data, []byte{0})
	if !ok || string(key) != "XML:com.adobe.xmp" || len(rest) < 2 || rest[0] != 0 {
		return nil
	}
	rest = rest[2:]                          // compression flag and method
	_, rest, ok = bytes.Cut(rest, []byte{0}) // language tag
	if !ok {
		return nil
	}
	_, rest, ok = bytes.Cut(rest, []byte{0}) // translated keyword
	if !ok {
		return nil
	}
	return rest
}

// webpBlocks walks the RIFF chunks: EXIF and "XMP ".
func webpBlocks(b []byte) blocks {
	var out blocks
	i := 12
	for i+8 <= len(b) {
		typ := string(b[i : i+4])
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if n < 0 || n > maxSegment || i+8+n > len(b) {
			return out
		}
		data := b[i+8 : i+8+n]
		switch typ {
		case "EXIF":
			out.exif = bytes.TrimPrefix(data, exifHeader)
		case "XMP ":
			out.xmp = data
		}
		i += 8 + n + n&1
	}
	return out
}
