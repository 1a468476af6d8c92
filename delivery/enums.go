package delivery

// Crop is a c_ mode.
type Crop uint8

// Crop modes known to Cloudinary.
const (
	CropNone Crop = iota
	CropScale
	CropFit
	CropLimit
	CropMFit
	CropFill
	CropLFill
	CropFillPad
	CropPad
	CropLPad
	CropMPad
	CropCrop
	CropThumb
	CropAuto
	CropAutoPad
	CropImaggaCrop
	CropImaggaScale
	cropCount
)

var cropNames = [cropCount]string{
	CropScale: "scale", CropFit: "fit", CropLimit: "limit", CropMFit: "mfit", CropFill: "fill",
	CropLFill: "lfill", CropFillPad: "fill_pad", CropPad: "pad", CropLPad: "lpad",
	CropMPad: "mpad", CropCrop: "crop", CropThumb: "thumb", CropAuto: "auto",
	CropAutoPad: "auto_pad", CropImaggaCrop: "imagga_crop", CropImaggaScale: "imagga_scale",
}

func (c Crop) String() string { return enumName(cropNames[:], int(c)) }

// GravityMode is the g_ value's mode; Gravity.Param holds what follows ":".
type GravityMode uint8

// Gravity modes known to Cloudinary.
const (
	GravityNone GravityMode = iota
	GravityNorthWest
	GravityNorth
	GravityNorthEast
	GravityWest
	GravityCenter
	GravityEast
	GravitySouthWest
	GravitySouth
	GravitySouthEast
	GravityXYCenter
	GravityFace
	GravityFaces
	GravityAuto
	GravityCustom
	GravityOCRText
	GravityBody
	GravityAdvFace
	GravityAdvFaces
	GravityAdvEyes
	gravityCount
)

var gravityNames = [gravityCount]string{
	GravityNorthWest: "north_west", GravityNorth: "north", GravityNorthEast: "north_east",
	GravityWest: "west", GravityCenter: "center", GravityEast: "east",
	GravitySouthWest: "south_west", GravitySouth: "south", GravitySouthEast: "south_east",
	GravityXYCenter: "xy_center", GravityFace: "face", GravityFaces: "faces",
	GravityAuto: "auto", GravityCustom: "custom", GravityOCRText: "ocr_text", GravityBody: "body",
	GravityAdvFace: "adv_face", GravityAdvFaces: "adv_faces", GravityAdvEyes: "adv_eyes",
}

func (g GravityMode) String() string { return enumName(gravityNames[:], int(g)) }

// Compass reports whether g is one of the nine compass points (center included).
func (g GravityMode) Compass() bool { return g >= GravityNorthWest && g <= GravitySouthEast }

// EffectName is an e_ effect.
type EffectName uint8

// Effects known here. Cloudinary has many more; an unknown name is an
// invalid effect.
const (
	EffectNone EffectName = iota
	EffectGrayscale
	EffectSepia
	EffectBlur
	EffectBlurFaces
	EffectBlurRegion
	EffectPixelate
	EffectPixelateFaces
	EffectPixelateRegion
	EffectSharpen
	EffectUnsharpMask
	EffectBrightness
	EffectContrast
	EffectSaturation
	EffectHue
	EffectGamma
	EffectNegate
	EffectVignette
	EffectTrim
	EffectImprove
	EffectBackgroundRemoval
	EffectArt
	EffectCartoonify
	EffectOilPaint
	EffectColorize
	EffectTint
	EffectRed
	EffectGreen
	EffectBlue
	EffectAutoBrightness
	EffectAutoColor
	EffectAutoContrast
	EffectFillLight
	EffectVibrance
	EffectNoise
	EffectOutline
	EffectShadow
	EffectMakeTransparent
	EffectReplaceColor
	EffectGradientFade
	EffectDistort
	EffectShear
	EffectRedEye
	EffectGenFill
	EffectBlackwhite
	EffectAdvRedEye
	EffectSimulateColorblind
	EffectAssistColorblind
	EffectViesusCorrect
	EffectUpscale
	EffectEnhance
	EffectLoop
	EffectAccelerate
	EffectReverse
	EffectBoomerang
	EffectFadeIn
	EffectFade
	EffectVolume
	EffectTransition
	effectCount
)

var effectNames = [effectCount]string{
	EffectGrayscale: "grayscale", EffectSepia: "sepia", EffectBlur: "blur",
	EffectBlurFaces: "blur_faces", EffectBlurRegion: "blur_region", EffectPixelate: "pixelate",
	EffectPixelateFaces: "pixelate_faces", EffectPixelateRegion: "pixelate_region",
	EffectSharpen: "sharpen", EffectUnsharpMask: "unsharp_mask", EffectBrightness: "brightness",
	EffectContrast: "contrast", EffectSaturation: "saturation", EffectHue: "hue",
	EffectGamma: "gamma", EffectNegate: "negate", EffectVignette: "vignette", EffectTrim: "trim",
	EffectImprove: "improve", EffectBackgroundRemoval: "background_removal", EffectArt: "art",
	EffectCartoonify: "cartoonify", EffectOilPaint: "oil_paint", EffectColorize: "colorize",
	EffectTint: "tint", EffectRed: "red", EffectGreen: "green", EffectBlue: "blue",
	EffectAutoBrightness: "auto_brightness", EffectAutoColor: "auto_color",
	EffectAutoContrast: "auto_contrast", EffectFillLight: "fill_light", EffectVibrance: "vibrance",
	EffectNoise: "noise", EffectOutline: "outline", EffectShadow: "shadow",
	EffectMakeTransparent: "make_transparent", EffectReplaceColor: "replace_color",
	EffectGradientFade: "gradient_fade", EffectDistort: "distort", EffectShear: "shear",
	EffectRedEye: "redeye", EffectGenFill: "gen_fill", EffectBlackwhite: "blackwhite",
	EffectAdvRedEye: "adv_redeye", EffectSimulateColorblind: "simulate_colorblind",
	EffectAssistColorblind: "assist_colorblind", EffectViesusCorrect: "viesus_correct",
	EffectUpscale: "upscale", EffectEnhance: "enhance", EffectLoop: "loop",
	EffectAccelerate: "accelerate", EffectReverse: "reverse", EffectBoomerang: "boomerang",
	EffectFadeIn: "fade_in", EffectFade: "fade", EffectVolume: "volume",
	EffectTransition: "transition",
}

func (e EffectName) String() string { return enumName(effectNames[:], int(e)) }

// effectTakesNoArgs lists effects that take no ":" argument.
func effectTakesNoArgs(e EffectName) bool {
	switch e {
	case EffectGrayscale, EffectNegate, EffectRedEye:
		return true
	}
	return false
}

// effectRange is the accepted range of an effect's numeric level; effects
// not listed take any argument text.
func effectRange(e EffectName) (lo, hi int, ok bool) {
	switch e {
	case EffectBlur:
		return 1, 2000, true
	case EffectSharpen, EffectUnsharpMask:
		return 1, 2000, true
	case EffectSepia:
		return 1, 100, true
	case EffectPixelate, EffectPixelateRegion, EffectPixelateFaces:
		return 1, 200, true
	case EffectBlurRegion, EffectBlurFaces:
		return 1, 2000, true
	case EffectBrightness:
		return -99, 100, true
	case EffectContrast, EffectSaturation, EffectVibrance:
		return -100, 100, true
	case EffectAutoBrightness, EffectAutoColor, EffectAutoContrast:
		return 0, 100, true
	case EffectGamma:
		return -50, 150, true
	case EffectHue:
		return -100, 100, true
	case EffectVignette, EffectColorize, EffectBlackwhite:
		return 0, 100, true
	}
	return 0, 0, false
}

// Flag is one fl_ flag, as a bit in Flags.
type Flag uint64

// Flags known to Cloudinary.
const (
	FlagProgressive Flag = 1 << iota
	FlagStripProfile
	FlagKeepIPTC
	FlagKeepAttribution
	FlagLossy
	FlagAttachment
	FlagLayerApply
	FlagRelative
	FlagRegionRelative
	FlagAWebP
	FlagAnimated
	FlagImmutableCache
	FlagGetInfo
	FlagForceStrip
	FlagIgnoreAspectRatio
	FlagLowQuality
	FlagPreserveTransparency
	FlagPNG8
	FlagPNG24
	FlagPNG32
	FlagRasterize
	FlagTiled
	FlagTruncateTS
	FlagNoOverflow
	FlagClip
	FlagClipEvenOdd
	FlagCutter
	FlagDraco
	FlagForceIcc
	FlagAnyFormat
	FlagStreamingAttachment
	FlagSplice
	FlagText
	FlagWaveform
	FlagMono
	FlagHLSv3
	FlagReplaceImage
	FlagSanitize
	FlagApng
	FlagTextNoTrim
	FlagTextDisallowOverflow
	FlagNoStream
	FlagAlternate
	flagEnd
)

var flagNames = [...]string{
	"progressive", "strip_profile", "keep_iptc", "keep_attribution", "lossy", "attachment",
	"layer_apply", "relative", "region_relative", "awebp", "animated", "immutable_cache",
	"getinfo", "force_strip", "ignore_aspect_ratio", "lowquality", "preserve_transparency",
	"png8", "png24", "png32", "rasterize", "tiled", "truncate_ts", "no_overflow", "clip",
	"clip_evenodd", "cutter", "draco", "force_icc", "any_format", "streaming_attachment",
	"splice", "text", "waveform", "mono", "hlsv3", "replace_image", "sanitize", "apng",
	"text_no_trim", "text_disallow_overflow", "no_stream", "alternate",
}

// lookupFlag maps a flag name to its bit.
func lookupFlag(s string) (Flag, bool) {
	for i, n := range flagNames {
		if n == s {
			return Flag(1) << i, true
		}
	}
	return 0, false
}

// Name is the flag's name as it appears after fl_.
func (f Flag) Name() string {
	for i := range flagNames {
		if f == Flag(1)<<i {
			return flagNames[i]
		}
	}
	return ""
}

// AngleMode is a named a_ value, as a bit in Angle.Modes.
type AngleMode uint8

// Angle modes.
const (
	AngleAutoRight AngleMode = 1 << iota
	AngleAutoLeft
	AngleHFlip
	AngleVFlip
	AngleIgnore
	AngleExif
)

var angleNames = [...]string{"auto_right", "auto_left", "hflip", "vflip", "ignore", "exif"}

func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return ""
}

// lookupName finds s in names, skipping the zero entry.
func lookupName(names []string, s string) (int, bool) {
	for i := 1; i < len(names); i++ {
		if names[i] == s {
			return i, true
		}
	}
	return 0, false
}
