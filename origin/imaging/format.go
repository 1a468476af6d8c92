package imaging

import "github.com/mediacdn/mediacdn/delivery"

// encoder is an output format. Its values are vips.h's MC_SAVE_*, which
// vips.go checks when it compiles.
type encoder int

const (
	encJPEG encoder = iota + 1
	encPNG
	encWebP
	encAVIF
	encGIF
	encTIFF // the rest: save_formats.go
	encHEIC
	encJXL
	encBMP
	encICO
)

// encoderFor maps the formats this package writes.
func encoderFor(f delivery.Format) (encoder, bool) {
	switch f {
	case delivery.JPG:
		return encJPEG, true
	case delivery.PNG:
		return encPNG, true
	case delivery.WebP:
		return encWebP, true
	case delivery.AVIF:
		return encAVIF, true
	case delivery.GIF:
		return encGIF, true
	}
	return moreEncoderFor(f)
}

func (e encoder) format() delivery.Format {
	switch e {
	case encPNG:
		return delivery.PNG
	case encWebP:
		return delivery.WebP
	case encAVIF:
		return delivery.AVIF
	case encGIF:
		return delivery.GIF
	case encTIFF, encHEIC, encJXL, encBMP, encICO:
		return e.moreFormat()
	}
	return delivery.JPG
}

// alphaPolicy says whether the output can keep transparency, which decides
// the default padding colour (white, or transparent where alpha is
// possible).
type alphaPolicy int

const (
	alphaNever     alphaPolicy = iota // JPEG
	alphaAlways                       // PNG, WebP, AVIF, GIF
	alphaIfPresent                    // f_auto without a lossy alpha format: PNG if the image has alpha, else JPEG
)

// output is the encoder decision made before any pixel work: an encoder,
// or a choice between JPEG and PNG once the result's alpha is known.
type output struct {
	enc   encoder
	alpha alphaPolicy
}

// resolve picks the encoder once the result's alpha is known.
func (o output) resolve(hasAlpha bool) encoder {
	if o.alpha == alphaIfPresent {
		if hasAlpha {
			return encPNG
		}
		return encJPEG
	}
	return o.enc
}

// chooseOutput resolves the requested format against the input's. f_auto
// picks AVIF, then WebP, as Accept allows (AVIF only when the encoder
// works here), else JPEG, or PNG when the result has alpha. FormatNone
// keeps the input's format, or JPEG/PNG when it cannot be written (TIFF,
// HEIC).
func chooseOutput(want, accept, input delivery.Format, avif bool) (output, error) {
	switch want {
	case delivery.FormatAuto:
		switch {
		case accept == delivery.AVIF && avif:
			return output{enc: encAVIF, alpha: alphaAlways}, nil
		case accept == delivery.AVIF || accept == delivery.WebP:
			return output{enc: encWebP, alpha: alphaAlways}, nil
		}
		return output{alpha: alphaIfPresent}, nil
	case delivery.FormatNone:
		want = input
		if e, ok := encoderFor(want); !ok || e >= encTIFF {
			return output{alpha: alphaIfPresent}, nil
		}
	}
	e, ok := encoderFor(want)
	if !ok || e == encAVIF && !avif {
		return output{}, unsupported("f_" + want.String())
	}
	if e == encJPEG {
		return output{enc: e, alpha: alphaNever}, nil
	}
	return output{enc: e, alpha: alphaAlways}, nil
}

// quality is the encoder quality for q_ (explicit, or q_auto's level) on
// this encoder. Defaults follow imgproxy's: JPEG 80, WebP 79, AVIF 63,
// JPEG XL 77 (HEIC, which imgproxy does not write, 60), which are
// q_auto:good; best, eco and low move ten points up or down (AVIF: 73, 53,
// 45). The lossless encoders (PNG, GIF, TIFF, BMP, ICO) ignore it.
func quality(q delivery.Quality, set bool, e encoder) int {
	if set && q.Value > 0 {
		return q.Value
	}
	level := delivery.AutoQualityGood
	if set && q.Auto != delivery.AutoQualityNone && q.Auto != delivery.AutoQualityDefault {
		level = q.Auto
	}
	table := [...]int{80, 79, 63, 60, 77} // good: JPEG, WebP, AVIF, HEIC, JPEG XL
	i := 0
	switch e {
	case encWebP:
		i = 1
	case encAVIF:
		i = 2
	case encHEIC:
		i = 3
	case encJXL:
		i = 4
	}
	v := table[i]
	switch level {
	case delivery.AutoQualityBest:
		v += 10
	case delivery.AutoQualityEco:
		v -= 10
	case delivery.AutoQualityLow:
		v -= 20
		if e == encAVIF {
			v = 45
		}
	}
	return v
}
