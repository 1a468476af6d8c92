package delivery

import (
	"strconv"
	"strings"
)

// DimensionKind says how a w_ or h_ value was written.
type DimensionKind uint8

// Dimension kinds.
const (
	DimNone     DimensionKind = iota
	DimPixels                 // w_100
	DimRelative               // w_0.5: a fraction of the input, written with a "."
	DimAuto                   // w_auto, w_auto:100:400 (Expr holds "100:400"; autowidth.go)
	DimExpr                   // w_iw_div_2 (Expr holds the expression)
)

// Dimension is a w_ or h_ value.
type Dimension struct {
	Kind  DimensionKind
	Value float64
	Expr  string
}

func parseDimension(s string) (Dimension, bool) {
	if s == "auto" || len(s) > 5 && s[:5] == "auto:" {
		args := ""
		if len(s) > 5 {
			args = s[5:]
		}
		return Dimension{Kind: DimAuto, Expr: args}, isAutoWidthArgs(args)
	}
	if n, ok := parseInt(s); ok {
		return Dimension{Kind: DimPixels, Value: float64(n)}, n >= 1 && n <= maxPixels
	}
	if v, ok := parseDecimal(s); ok {
		if hasDot(s) && v <= 1 {
			return Dimension{Kind: DimRelative, Value: v}, v > 0
		}
		return Dimension{Kind: DimPixels, Value: v}, v >= 1 && v <= maxPixels
	}
	if isExprValue(s) { // variables.go
		_, err := ParseExpr(s, false)
		return Dimension{Kind: DimExpr, Expr: s}, err == nil
	}
	return Dimension{}, false
}

// exprLongVariables are the predefined values whose long names hold a
// "_", one expression token each (exprTokens).
var exprLongVariables = [...]string{
	"initial_aspect_ratio", "initial_duration", "initial_height", "initial_width",
	"aspect_ratio", "current_page", "face_count", "page_count",
}

func (d Dimension) appendTo(dst []byte) []byte {
	switch d.Kind {
	case DimPixels:
		return appendFloat(dst, d.Value, false)
	case DimRelative:
		return appendFloat(dst, d.Value, true)
	case DimAuto:
		dst = append(dst, "auto"...)
		if d.Expr != "" {
			dst = append(dst, ':')
			dst = append(dst, d.Expr...)
		}
		return dst
	}
	return append(dst, d.Expr...)
}

// AspectRatio is an ar_ value: "16:9" (Num 16, Den 9) or "1.5" (Den 0).
type AspectRatio struct {
	Num, Den float64
}

// Ratio is width over height.
func (a AspectRatio) Ratio() float64 {
	if a.Den == 0 {
		return a.Num
	}
	return a.Num / a.Den
}

func parseAspectRatio(s string) (AspectRatio, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			n, ok1 := parseDecimal(s[:i])
			d, ok2 := parseDecimal(s[i+1:])
			return AspectRatio{n, d}, ok1 && ok2 && n > 0 && d > 0 && n <= maxPixels && d <= maxPixels
		}
	}
	v, ok := parseDecimal(s)
	return AspectRatio{Num: v}, ok && v > 0 && v <= maxPixels
}

func (a AspectRatio) appendTo(dst []byte) []byte {
	dst = appendFloat(dst, a.Num, false)
	if a.Den != 0 {
		dst = append(dst, ':')
		dst = appendFloat(dst, a.Den, false)
	}
	return dst
}

// AutoQuality is q_auto's level.
type AutoQuality uint8

// q_auto levels. AutoQualityDefault is a bare q_auto (which Cloudinary
// treats as good).
const (
	AutoQualityNone AutoQuality = iota
	AutoQualityDefault
	AutoQualityBest
	AutoQualityGood
	AutoQualityEco
	AutoQualityLow
	autoQualityCount
)

var autoQualityNames = [autoQualityCount]string{
	AutoQualityDefault: "auto", AutoQualityBest: "auto:best", AutoQualityGood: "auto:good",
	AutoQualityEco: "auto:eco", AutoQualityLow: "auto:low",
}

// Quality is a q_ value: a level 1-100 (with an optional chroma subsampling,
// q_80:420), q_auto[:level] or q_jpegmini.
type Quality struct {
	Value    int
	Chroma   int // 420 or 444, 0 when not given
	Auto     AutoQuality
	JPEGMini bool
}

func parseQuality(s string) (Quality, bool) {
	if i, ok := lookupName(autoQualityNames[:], s); ok {
		return Quality{Auto: AutoQuality(i)}, true
	}
	if s == "jpegmini" {
		return Quality{JPEGMini: true}, true
	}
	v, chroma := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			v, chroma = s[:i], s[i+1:]
			break
		}
	}
	q := Quality{}
	var ok bool
	if q.Value, ok = parseRange(v, 1, 100); !ok || v[0] == '-' {
		return Quality{}, false
	}
	if len(v) != len(s) {
		switch chroma {
		case "420":
			q.Chroma = 420
		case "444":
			q.Chroma = 444
		default:
			return Quality{}, false
		}
	}
	return q, true
}

func (q Quality) appendTo(dst []byte) []byte {
	switch {
	case q.Auto != AutoQualityNone:
		return append(dst, autoQualityNames[q.Auto]...)
	case q.JPEGMini:
		return append(dst, "jpegmini"...)
	}
	dst = strconv.AppendInt(dst, int64(q.Value), 10)
	if q.Chroma != 0 {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(q.Chroma), 10)
	}
	return dst
}

// DPR is a dpr_ value: a device pixel ratio, or dpr_auto.
type DPR struct {
	Value float64
	Auto  bool
}

// maxDPR bounds dpr_ values.
const maxDPR = 10

func parseDPR(s string) (DPR, bool) {
	if s == "auto" {
		return DPR{Auto: true}, true
	}
	v, ok := parseDecimal(s)
	return DPR{Value: v}, ok && v > 0 && v <= maxDPR
}

func (d DPR) appendTo(dst []byte) []byte {
	if d.Auto {
		return append(dst, "auto"...)
	}
	return appendFloat(dst, d.Value, false)
}

// Gravity is a g_ value: a mode and, after ":", its parameter verbatim
// (g_auto:subject, g_face:center).
type Gravity struct {
	Mode  GravityMode
	Param string
}

func parseGravity(s string) (Gravity, bool) {
	name, param, hasParam := cut(s, ':')
	i, ok := lookupName(gravityNames[:], name)
	if !ok || hasParam && (param == "" || !isArgText(param)) {
		return Gravity{}, false
	}
	return Gravity{Mode: GravityMode(i), Param: param}, true
}

func (g Gravity) appendTo(dst []byte) []byte {
	dst = append(dst, g.Mode.String()...)
	if g.Param != "" {
		dst = append(dst, ':')
		dst = append(dst, g.Param...)
	}
	return dst
}

// Effect is an e_ value: a name, an optional numeric level and any other
// arguments verbatim.
type Effect struct {
	Name     EffectName
	Level    int
	HasLevel bool
	Args     string // arguments of effects without a numeric level
}

func parseEffect(s string) (Effect, bool) {
	name, args, hasArgs := cut(s, ':')
	i, ok := lookupName(effectNames[:], name)
	if !ok || hasArgs && args == "" {
		return Effect{}, false
	}
	e := Effect{Name: EffectName(i)}
	if !hasArgs {
		return e, true
	}
	if effectTakesNoArgs(e.Name) {
		return Effect{}, false
	}
	if lo, hi, ranged := effectRange(e.Name); ranged {
		e.Level, ok = parseRange(args, lo, hi)
		e.HasLevel = true
		return e, ok
	}
	e.Args = args
	return e, isArgText(args)
}

func (e Effect) appendTo(dst []byte) []byte {
	dst = append(dst, e.Name.String()...)
	if e.HasLevel {
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, int64(e.Level), 10)
	} else if e.Args != "" {
		dst = append(dst, ':')
		dst = append(dst, e.Args...)
	}
	return dst
}

// Radius is an r_ value: r_max, or one to four corner radii in pixels.
type Radius struct {
	Max bool
	N   int // how many values were given
	V   [4]int
}

func parseRadius(s string) (Radius, bool) {
	if s == "max" {
		return Radius{Max: true}, true
	}
	var r Radius
	for s != "" || r.N == 0 {
		part, rest, more := cut(s, ':')
		if r.N == 4 {
			return Radius{}, false
		}
		v, ok := parseRange(part, 0, maxPixels)
		if !ok || part[0] == '-' {
			return Radius{}, false
		}
		r.V[r.N] = v
		r.N++
		if !more {
			break
		}
		if rest == "" {
			return Radius{}, false
		}
		s = rest
	}
	return r, true
}

func (r Radius) appendTo(dst []byte) []byte {
	if r.Max {
		return append(dst, "max"...)
	}
	for i := 0; i < r.N; i++ {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = strconv.AppendInt(dst, int64(r.V[i]), 10)
	}
	return dst
}

// Angle is an a_ value: degrees and named modes, "."-joined (a_90.hflip).
type Angle struct {
	Degrees    int
	HasDegrees bool
	Modes      AngleMode
}

func parseAngle(s string) (Angle, bool) {
	var a Angle
	for {
		part, rest, more := cut(s, '.')
		if m, ok := lookupAngleMode(part); ok {
			a.Modes |= m
		} else if d, ok := parseRange(part, -3600, 3600); ok && !a.HasDegrees {
			a.Degrees, a.HasDegrees = d, true
		} else {
			return Angle{}, false
		}
		if !more {
			return a, true
		}
		s = rest
	}
}

func lookupAngleMode(s string) (AngleMode, bool) {
	for i, n := range angleNames {
		if n == s {
			return AngleMode(1) << i, true
		}
	}
	return 0, false
}

func (a Angle) appendTo(dst []byte) []byte {
	first := true
	if a.HasDegrees {
		dst = strconv.AppendInt(dst, int64(a.Degrees), 10)
		first = false
	}
	for i, n := range angleNames {
		if a.Modes&(AngleMode(1)<<i) != 0 {
			if !first {
				dst = append(dst, '.')
			}
			dst = append(dst, n...)
			first = false
		}
	}
	return dst
}

// Border is a bo_ value: <width>px_solid_<colour>.
type Border struct {
	Width int
	Color Color
}

func parseBorder(s string) (Border, bool) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	w, ok := parseRange(s[:i], 1, maxPixels)
	const mid = "px_solid_"
	if !ok || len(s) < i+len(mid) || s[i:i+len(mid)] != mid {
		return Border{}, false
	}
	c, ok := parseColor(s[i+len(mid):], false)
	return Border{Width: w, Color: c}, ok
}

func (b Border) appendTo(dst []byte) []byte {
	dst = strconv.AppendInt(dst, int64(b.Width), 10)
	dst = append(dst, "px_solid_"...)
	return b.Color.appendTo(dst)
}

// Coord is an x_ or y_ value: pixels, or a fraction when written with a "."
// and at most 1 in magnitude.
type Coord struct {
	Value    float64
	Relative bool
}

func parseCoord(s string) (Coord, bool) {
	v, ok := parseDecimal(s)
	if !ok || v > maxPixels || v < -maxPixels {
		return Coord{}, false
	}
	return Coord{Value: v, Relative: hasDot(s) && v <= 1 && v >= -1}, true
}

func (c Coord) appendTo(dst []byte) []byte { return appendFloat(dst, c.Value, c.Relative) }

// Flags is an fl_ value: a set of flags, "."-joined, the file name of
// fl_attachment:<name> and the mode of fl_progressive:<semi|steep|none>.
type Flags struct {
	Set             Flag
	AttachmentName  string
	ProgressiveMode string
}

// Has reports whether f is set.
func (f Flags) Has(flag Flag) bool { return f.Set&flag != 0 }

func parseFlags(s string) (Flags, bool) {
	var f Flags
	for {
		part, rest, more := cut(s, '.')
		name, arg, hasArg := cut(part, ':')
		flag, ok := lookupFlag(name)
		if !ok || hasArg && !validFlagArg(flag, arg) {
			return Flags{}, false
		}
		f.Set |= flag
		switch {
		case hasArg && flag == FlagAttachment:
			f.AttachmentName = arg
		case hasArg && flag == FlagProgressive:
			f.ProgressiveMode = arg
		}
		if !more {
			return f, true
		}
		s = rest
	}
}

// validFlagArg accepts fl_attachment:<name> and fl_progressive:semi|steep|none.
func validFlagArg(flag Flag, arg string) bool {
	switch flag {
	case FlagAttachment:
		return arg != "" && isArgText(arg)
	case FlagProgressive:
		return arg == "semi" || arg == "steep" || arg == "none"
	}
	return false
}

func (f Flags) appendTo(dst []byte) []byte {
	first := true
	for i, n := range flagNames {
		flag := Flag(1) << i
		if f.Set&flag == 0 {
			continue
		}
		if !first {
			dst = append(dst, '.')
		}
		first = false
		dst = append(dst, n...)
		if flag == FlagAttachment && f.AttachmentName != "" {
			dst = append(dst, ':')
			dst = append(dst, f.AttachmentName...)
		}
		if flag == FlagProgressive && f.ProgressiveMode != "" {
			dst = append(dst, ':')
			dst = append(dst, f.ProgressiveMode...)
		}
	}
	return dst
}

// isNamedList accepts t_'s value: names of [A-Za-z0-9_-], "."-joined.
func isNamedList(s string) bool {
	if s == "" {
		return false
	}
	prev := byte('.')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case isWord(c) || c == '-':
		default:
			return false
		}
		prev = c
	}
	return prev != '.'
}

// isPage accepts pg_'s value: page numbers and ranges ("2", "2-4", "2;4",
// "-1") or a named layer ("name:record_cover").
func isPage(s string) bool {
	if s == "" {
		return false
	}
	if name, rest, ok := cut(s, ':'); ok && (name == "name" || name == "embedded") {
		return rest != "" && isArgText(rest)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '-' && c != ';' {
			return false
		}
	}
	// Pages count from 1 (negative from the end): no page 0.
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '-' }) {
		if strings.Trim(part, "0") == "" {
			return false
		}
	}
	return true
}

// isValueText accepts the verbatim value of a key the grammar keeps as text:
// visible ASCII except "/" and "," (the separators), or UTF-8.
func isValueText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '/' || c == ',' || c == '?' || c == '#' {
			return false
		}
	}
	return true
}

func cut(s string, sep byte) (before, after string, found bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func hasDot(s string) bool { return strings.IndexByte(s, '.') >= 0 }
