package imagemeta

import (
	"encoding/binary"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The corpus photographs carry camera EXIF; chelsea.png carries XMP.
func TestExtractCorpus(t *testing.T) {
	storm := Extract(testkit.Read(t, "Storm.jpg"))
	if storm.EXIF["Make"] != "Canon" || storm.EXIF["Model"] != "Canon EOS 400D DIGITAL" {
		t.Fatalf("Storm.jpg EXIF: %v", storm.EXIF)
	}
	for _, k := range []string{"ExposureTime", "FNumber", "DateTimeOriginal", "ExifVersion"} {
		if storm.EXIF[k] == "" {
			t.Errorf("Storm.jpg: no %s in %v", k, storm.EXIF)
		}
	}
	if v := storm.EXIF["ExifVersion"]; v != "48, 50, 50, 49" && v != "48, 50, 50, 48" && v != "48, 50, 51, 48" {
		t.Errorf("ExifVersion %q: undefined bytes are listed as decimals", v)
	}
	wood := Extract(testkit.Read(t, "Wood.jpg"))
	if wood.EXIF["Make"] != "KONICA MINOLTA" || wood.EXIF["Model"] != "DiMAGE Z5" {
		t.Fatalf("Wood.jpg EXIF: %v", wood.EXIF)
	}
	chelsea := Extract(testkit.Read(t, "chelsea.png"))
	if len(chelsea.XMP) == 0 {
		t.Fatalf("chelsea.png: no XMP")
	}
	if m := Extract(testkit.Read(t, "coffee.png")); !m.Empty() {
		t.Fatalf("coffee.png has no metadata, got %+v", m)
	}
	all := storm.All()
	if all["Make"] != "Canon" {
		t.Fatalf("All: %v", all)
	}
}

// A hand-built JPEG with big-endian EXIF (and a GPS IFD), IPTC keywords
// and an XMP packet with an array.
func TestExtractSynthetic(t *testing.T) {
	jpeg := buildJPEG()
	m := Extract(jpeg)
	want := map[string]string{"Make": "Acme", "XResolution": "72/1", "Orientation": "6", "GPSLatitudeRef": "N"}
	for k, v := range want {
		if m.EXIF[k] != v {
			t.Errorf("EXIF %s = %q, want %q (all %v)", k, m.EXIF[k], v, m.EXIF)
		}
	}
	if m.IPTC["Keywords"] != "sea, sky" || m.IPTC["City"] != "Brest" {
		t.Errorf("IPTC %v", m.IPTC)
	}
	if m.XMP["CreatorTool"] != "Tool 1.0" || m.XMP["subject"] != "a, b" || m.XMP["Rating"] != "5" {
		t.Errorf("XMP %v", m.XMP)
	}
}

func buildJPEG() []byte {
	be := binary.BigEndian
	// TIFF: header, IFD0 with Make, Orientation, XResolution, GPS pointer.
	var tiff []byte
	tiff = append(tiff, 'M', 'M', 0, 42, 0, 0, 0, 8)
	entry := func(tag, typ uint16, count uint32, val []byte) []byte {
		e := make([]byte, 12)
		be.PutUint16(e, tag)
		be.PutUint16(e[2:], typ)
		be.PutUint32(e[4:], count)
		copy(e[8:], val)
		return e
	}
	u32 := func(v uint32) []byte { b := make([]byte, 4); be.PutUint32(b, v); return b }
	// IFD0 at 8: 4 entries (2+48+4 = 54 bytes) → data at 62.
	ifd0 := []byte{0, 4}
	ifd0 = append(ifd0, entry(0x010F, 2, 4, []byte("Acme"))...)
	ifd0 = append(ifd0, entry(0x0112, 3, 1, []byte{0, 6})...)
	ifd0 = append(ifd0, entry(0x011A, 5, 1, u32(62))...)
	ifd0 = append(ifd0, entry(0x8825, 4, 1, u32(70))...)
	ifd0 = append(ifd0, 0, 0, 0, 0)
	tiff = append(tiff, ifd0...)
	tiff = append(tiff, append(u32(72), u32(1)...)...) // at 62
	gps := []byte{0, 1}
	gps = append(gps, entry(0x0001, 2, 2, []byte("N\x00"))...)
	gps = append(gps, 0, 0, 0, 0)
	tiff = append(tiff, gps...) // at 70
	seg := func(marker byte, payload []byte) []byte {
		s := []byte{0xFF, marker, 0, 0}
		be.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	iptc := []byte{0x1C, 2, 25, 0, 3}
	iptc = append(iptc, "sea"...)
	iptc = append(iptc, 0x1C, 2, 25, 0, 3)
	iptc = append(iptc, "sky"...)
	iptc = append(iptc, 0x1C, 2, 90, 0, 5)
	iptc = append(iptc, "Brest"...)
	res := []byte("8BIM")
	res = append(res, 0x04, 0x04, 0, 0)
	res = append(res, u32(uint32(len(iptc)))...)
	res = append(res, iptc...)
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:CreatorTool="Tool 1.0">
<xmp:Rating>5</xmp:Rating><dc:subject><rdf:Bag><rdf:li>a</rdf:li><rdf:li>b</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>`
	out := []byte{0xFF, 0xD8}
	out = append(out, seg(0xE1, append([]byte("Exif\x00\x00"), tiff...))...)
	out = append(out, seg(0xED, append([]byte("Photoshop 3.0\x00"), res...))...)
	out = append(out, seg(0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmp...))...)
	return append(out, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9)
}

// Extract never panics and never reads out of bounds, whatever the bytes.
func FuzzExtract(f *testing.F) {
	f.Add(buildJPEG())
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x04eXIfMM\x00*"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPEXIF\x08\x00\x00\x00II*\x00\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := Extract(b)
		_ = m.All()
	})
}
