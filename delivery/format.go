package delivery

// Format is a delivery format: a URL extension or an f_ value. Aliases
// (jpeg, jpe; tif; heif) map to one Format, and String gives the name the
// SDKs use.
type Format uint8

// Formats known to Cloudinary. FormatNone means the asset's own format;
// FormatAuto is f_auto, resolved per request from Accept.
const (
	FormatNone Format = iota
	FormatAuto
	// images
	JPG
	PNG
	WebP
	AVIF
	GIF
	JXL
	HEIC
	PDF
	SVG
	BMP
	TIFF
	ICO
	JP2
	JXR
	EPS
	PS
	PSD
	AI
	TGA
	ARW
	CR2
	DNG
	DJVU
	FLIF
	GLB
	GLTF
	USDZ
	FBX
	OBJ
	PLY
	INDD
	// video
	MP4
	WebM
	OGV
	FLV
	MOV
	M3U8
	MPD
	TS
	MKV
	AVI
	WMV
	MPEG
	MXF
	ThreeGP
	ThreeG2
	// audio
	MP3
	M4A
	AAC
	WAV
	OGG
	FLAC
	OPUS
	AIFF
	AMR
	// other deliverables: list (json) and sprite (css) types
	JSON
	CSS
	formatCount
)

var formatNames = [formatCount]string{
	FormatNone: "", FormatAuto: "auto",
	JPG: "jpg", PNG: "png", WebP: "webp", AVIF: "avif", GIF: "gif", JXL: "jxl", HEIC: "heic",
	PDF: "pdf", SVG: "svg", BMP: "bmp", TIFF: "tiff", ICO: "ico", JP2: "jp2", JXR: "jxr",
	EPS: "eps", PS: "ps", PSD: "psd", AI: "ai", TGA: "tga", ARW: "arw", CR2: "cr2", DNG: "dng",
	DJVU: "djvu", FLIF: "flif", GLB: "glb", GLTF: "gltf", USDZ: "usdz", FBX: "fbx", OBJ: "obj",
	PLY: "ply", INDD: "indd",
	MP4: "mp4", WebM: "webm", OGV: "ogv", FLV: "flv", MOV: "mov", M3U8: "m3u8", MPD: "mpd",
	TS: "ts", MKV: "mkv", AVI: "avi", WMV: "wmv", MPEG: "mpeg", MXF: "mxf", ThreeGP: "3gp",
	ThreeG2: "3g2",
	MP3:     "mp3", M4A: "m4a", AAC: "aac", WAV: "wav", OGG: "ogg", FLAC: "flac", OPUS: "opus",
	AIFF: "aiff", AMR: "amr", JSON: "json", CSS: "css",
}

var formatTypes = [formatCount]string{
	JPG: "image/jpeg", PNG: "image/png", WebP: "image/webp", AVIF: "image/avif", GIF: "image/gif",
	JXL: "image/jxl", HEIC: "image/heic", PDF: "application/pdf", SVG: "image/svg+xml",
	BMP: "image/bmp", TIFF: "image/tiff", ICO: "image/vnd.microsoft.icon", JP2: "image/jp2",
	JXR: "image/vnd.ms-photo", EPS: "application/postscript", PS: "application/postscript",
	PSD: "image/vnd.adobe.photoshop", AI: "application/postscript", TGA: "image/x-tga",
	GLB: "model/gltf-binary", GLTF: "model/gltf+json", USDZ: "model/vnd.usdz+zip",
	DJVU: "image/vnd.djvu",
	MP4:  "video/mp4", WebM: "video/webm", OGV: "video/ogg", FLV: "video/x-flv",
	MOV: "video/quicktime", M3U8: "application/vnd.apple.mpegurl", MPD: "application/dash+xml",
	TS: "video/mp2t", MKV: "video/x-matroska", AVI: "video/x-msvideo", WMV: "video/x-ms-wmv",
	MPEG: "video/mpeg", MXF: "application/mxf", ThreeGP: "video/3gpp", ThreeG2: "video/3gpp2",
	MP3: "audio/mpeg", M4A: "audio/mp4", AAC: "audio/aac", WAV: "audio/wav", OGG: "audio/ogg",
	FLAC: "audio/flac", OPUS: "audio/opus", AIFF: "audio/aiff", AMR: "audio/amr",
	JSON: "application/json", CSS: "text/css",
}

// String is the format's name as the SDKs write it ("jpg", "webp", "auto").
func (f Format) String() string {
	if f < formatCount {
		return formatNames[f]
	}
	return ""
}

// ContentType is the format's media type, or "application/octet-stream"
// when it has none of its own.
func (f Format) ContentType() string {
	if f < formatCount && formatTypes[f] != "" {
		return formatTypes[f]
	}
	return "application/octet-stream"
}

// FormatOf is the format whose media type is contentType (parameters
// ignored; the first format listed when several share the type), or
// FormatNone.
func FormatOf(contentType string) Format {
	mt, _, _ := cut(contentType, ';')
	mt = trimSpace(mt)
	for f := JPG; f < formatCount; f++ {
		if formatTypes[f] != "" && equalFoldTrim(mt, formatTypes[f]) {
			return f
		}
	}
	return FormatNone
}

// IsImage reports whether f is an image (or document rendered as one) format.
func (f Format) IsImage() bool { return f >= JPG && f < MP4 }

// IsVideo reports whether f is a video or audio format.
func (f Format) IsVideo() bool { return f >= MP4 && f <= AMR }

// ParseFormat maps an extension or f_ value to its Format, ignoring ASCII
// case. It does not accept "auto"; callers that allow f_auto check for it.
func ParseFormat(s string) (Format, bool) {
	var buf [8]byte
	if len(s) == 0 || len(s) > len(buf) {
		return FormatNone, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(s)]) {
	case "jpeg", "jpe":
		return JPG, true
	case "tif":
		return TIFF, true
	case "heif":
		return HEIC, true
	case "wdp", "hdp":
		return JXR, true
	case "ept", "eps3":
		return EPS, true
	case "m2ts", "mts":
		return TS, true
	case "mpg":
		return MPEG, true
	case "aif":
		return AIFF, true
	case "auto":
		return FormatNone, false
	}
	name := string(buf[:len(s)])
	for f := JPG; f < formatCount; f++ {
		if formatNames[f] == name {
			return f, true
		}
	}
	return FormatNone, false
}
