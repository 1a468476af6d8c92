package delivery

// Key is a transformation parameter key (the part before the first "_").
type Key uint8

// Keys known to Cloudinary. The ones the origin implements get a typed field
// in Component; the rest are kept verbatim in Component.Other so that the
// origin can answer "Unsupported transformation parameter: <key>".
const (
	KeyNone           Key = iota
	KeyAngle              // a
	KeyAudioCodec         // ac
	KeyAudioFreq          // af
	KeyAspectRatio        // ar
	KeyBackground         // b
	KeyBorder             // bo
	KeyBitRate            // br
	KeyCrop               // c
	KeyColor              // co
	KeyColorSpace         // cs
	KeyDefaultImage       // d
	KeyDelay              // dl
	KeyDensity            // dn
	KeyDPR                // dpr
	KeyDuration           // du
	KeyEffect             // e
	KeyEndOffset          // eo
	KeyFormat             // f
	KeyFlags              // fl
	KeyCustomFunction     // fn
	KeyFPS                // fps
	KeyGravity            // g
	KeyHeight             // h
	KeyIf                 // if
	KeyKeyframe           // ki
	KeyOverlay            // l
	KeyOpacity            // o
	KeyPrefix             // p
	KeyPage               // pg
	KeyQuality            // q
	KeyRadius             // r
	KeyStartOffset        // so
	KeyStreaming          // sp
	KeyNamed              // t
	KeyUnderlay           // u
	KeyVideoCodec         // vc
	KeyVideoSampling      // vs
	KeyWidth              // w
	KeyX                  // x
	KeyY                  // y
	KeyZoom               // z
	KeyVariable           // $name
	keyCount
)

var keyNames = [keyCount]string{
	KeyAngle: "a", KeyAudioCodec: "ac", KeyAudioFreq: "af", KeyAspectRatio: "ar",
	KeyBackground: "b", KeyBorder: "bo", KeyBitRate: "br", KeyCrop: "c", KeyColor: "co",
	KeyColorSpace: "cs", KeyDefaultImage: "d", KeyDelay: "dl", KeyDensity: "dn", KeyDPR: "dpr",
	KeyDuration: "du", KeyEffect: "e", KeyEndOffset: "eo", KeyFormat: "f", KeyFlags: "fl",
	KeyCustomFunction: "fn", KeyFPS: "fps", KeyGravity: "g", KeyHeight: "h", KeyIf: "if",
	KeyKeyframe: "ki", KeyOverlay: "l", KeyOpacity: "o", KeyPrefix: "p", KeyPage: "pg",
	KeyQuality: "q", KeyRadius: "r", KeyStartOffset: "so", KeyStreaming: "sp", KeyNamed: "t",
	KeyUnderlay: "u", KeyVideoCodec: "vc", KeyVideoSampling: "vs", KeyWidth: "w", KeyX: "x",
	KeyY: "y", KeyZoom: "z", KeyVariable: "$",
}

// String is the key as it appears in a URL ("w", "dpr"); a variable's is "$".
func (k Key) String() string {
	if k < keyCount {
		return keyNames[k]
	}
	return ""
}

// lookupKey maps a key spelling to its Key.
func lookupKey(s string) Key {
	switch s {
	case "w":
		return KeyWidth
	case "h":
		return KeyHeight
	case "c":
		return KeyCrop
	case "g":
		return KeyGravity
	case "q":
		return KeyQuality
	case "f":
		return KeyFormat
	case "e":
		return KeyEffect
	case "a":
		return KeyAngle
	case "b":
		return KeyBackground
	case "o":
		return KeyOpacity
	case "r":
		return KeyRadius
	case "x":
		return KeyX
	case "y":
		return KeyY
	case "z":
		return KeyZoom
	case "t":
		return KeyNamed
	case "d":
		return KeyDefaultImage
	case "l":
		return KeyOverlay
	case "u":
		return KeyUnderlay
	case "p":
		return KeyPrefix
	case "ar":
		return KeyAspectRatio
	case "bo":
		return KeyBorder
	case "fl":
		return KeyFlags
	case "pg":
		return KeyPage
	case "dpr":
		return KeyDPR
	case "ac":
		return KeyAudioCodec
	case "af":
		return KeyAudioFreq
	case "br":
		return KeyBitRate
	case "co":
		return KeyColor
	case "cs":
		return KeyColorSpace
	case "dl":
		return KeyDelay
	case "dn":
		return KeyDensity
	case "du":
		return KeyDuration
	case "eo":
		return KeyEndOffset
	case "fn":
		return KeyCustomFunction
	case "fps":
		return KeyFPS
	case "if":
		return KeyIf
	case "ki":
		return KeyKeyframe
	case "so":
		return KeyStartOffset
	case "sp":
		return KeyStreaming
	case "vc":
		return KeyVideoCodec
	case "vs":
		return KeyVideoSampling
	}
	if len(s) > 1 && s[0] == '$' {
		return KeyVariable
	}
	return KeyNone
}

// splitToken splits a transformation token "key_value" at its first "_"
// when the key has a transformation's shape: "if", one to three lower-case
// letters, or a "$variable". It reports false for anything else.
func splitToken(tok string) (key, value string, ok bool) {
	i := 0
	switch {
	case len(tok) > 1 && tok[0] == '$':
		if !isAlpha(tok[1]) {
			return "", "", false
		}
		i = 2
		for i < len(tok) && isWord(tok[i]) && tok[i] != '_' {
			i++
		}
	default:
		for i < len(tok) && i < 4 && 'a' <= tok[i] && tok[i] <= 'z' {
			i++
		}
		if i == 0 || i > 3 {
			return "", "", false
		}
	}
	if i >= len(tok) || tok[i] != '_' {
		return "", "", false
	}
	return tok[:i], tok[i+1:], true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isWord(c byte) bool  { return isAlpha(c) || isDigit(c) || c == '_' }
