package imaging

import (
	"runtime"
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Config bounds the work one origin's image processing may do.
type Config struct {
	// MaxInputPixels is the largest width × height (summed over frames)
	// accepted, checked on the header before decoding. Zero means 50
	// megapixels.
	MaxInputPixels int64 `yaml:"max_input_pixels"`
	// MaxOutputDimension is the largest width or height produced (checked
	// on every intermediate size a transformation asks for). Zero means
	// 16384.
	MaxOutputDimension int `yaml:"max_output_dimension"`
	// MaxOutputPixels is the largest width × height produced. Zero means
	// 50 megapixels.
	MaxOutputPixels int64 `yaml:"max_output_pixels"`
	// MaxInputSize is the largest encoded image accepted. Zero means 100MiB.
	MaxInputSize config.Size `yaml:"max_input_size"`
	// Workers is how many transforms run at once. Zero means the number of CPUs.
	Workers int `yaml:"workers"`
	// Queue is how many transforms may wait for a slot; past it, requests
	// get 503 with Retry-After. Zero means 4 × Workers.
	Queue int `yaml:"queue"`
	// Timeout bounds one transform, waiting included: the wait for a slot
	// and libvips' evaluation of pixels stop at it (504), every stage of
	// the pipeline killed (kill.go). An encoder that compresses the whole
	// picture in one call at the end (WebP, AVIF, HEIF) is not interrupted
	// once started, so such an answer can come that encode's time after
	// it. Zero means 30s.
	Timeout time.Duration `yaml:"timeout"`
	// MaxCost is the most work one transform may be estimated to take,
	// as time on one core of a reference machine: the estimate follows the
	// sizes the transformation goes through from the input's header alone
	// (pixels × a cost per pixel for each operation, blur radius, frames
	// decoded, encoder), before any pixel is decoded. Past it the
	// transformation answers 400 "Transformation too expensive". Zero
	// means 10s; negative disables the check.
	MaxCost time.Duration `yaml:"max_cost"`
	// MaxFrames is the most frames an animated result (GIF or WebP in,
	// GIF or WebP out) keeps; an animated input asked for more (all its
	// frames, or a pg_ range) answers 400 "Animated image has too many
	// frames". The frames decoded count against MaxInputPixels (frames ×
	// width × height), the frames produced against MaxOutputPixels, and
	// each frame's work against MaxCost. Zero means 400 (13 s at 30 fps).
	MaxFrames int `yaml:"max_frames"`
	// LibvipsJPEG decodes every JPEG with libvips' own loader. By default
	// a JPEG shrunk on load (a resize to half its size or less) whose
	// shrunk pixels fit in 24 MiB is decoded by libjpeg straight into
	// memory on the transform's thread: the same pixels for about 10% less
	// CPU per transform (docs/transformations.md). This turns that off.
	LibvipsJPEG bool `yaml:"libvips_jpeg"`
	// ReleaseInterval is how often memory freed by libvips is handed back
	// to the operating system (glibc malloc_trim). Zero means 10s; negative
	// disables it.
	ReleaseInterval time.Duration `yaml:"release_interval"`
	// FaceCascade is the OpenCV cascade file g_face, g_faces,
	// e_blur_faces and e_pixelate_faces detect faces with (Debian's
	// opencv-data package installs it; `make deps` does). It is loaded at
	// start-up: when it is missing or not a cascade, those answer 400 "face
	// detection unavailable" (and the origin logs a warning). Empty means
	// DefaultFaceCascade; "none" turns face detection off.
	FaceCascade string `yaml:"face_cascade"`
	// LayerCache bounds the memory that keeps prepared image layers: an
	// image or fetch layer's pixels after its own transformation (l_logo,w_200
	// decoded and resized), uncompressed, so that a watermark put on many
	// images is decoded once rather than on every request. Entries are
	// keyed by a hash of the layer's bytes and the text of its own
	// transformation, the least recently used evicted; a layer larger than
	// a quarter of the bound is not kept, and the cache holds at most 1024
	// layers. Zero means 32MiB; negative disables it.
	LayerCache config.Size `yaml:"layer_cache"`
}

// DefaultLayerCache is Config.LayerCache's default.
const DefaultLayerCache = 32 * config.MiB

// DefaultFaceCascade is Config.FaceCascade's default: OpenCV's frontal
// face Haar cascade "alt2".
const DefaultFaceCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml"

// ApplyDefaults fills unset fields.
func (c *Config) ApplyDefaults() {
	if c.MaxInputPixels == 0 {
		c.MaxInputPixels = 50_000_000
	}
	if c.MaxOutputDimension == 0 {
		c.MaxOutputDimension = 16384
	}
	if c.MaxOutputPixels == 0 {
		c.MaxOutputPixels = 50_000_000
	}
	if c.MaxInputSize == 0 {
		c.MaxInputSize = 100 * config.MiB
	}
	if c.Workers == 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.Queue == 0 {
		c.Queue = 4 * c.Workers
	}
	if c.MaxFrames == 0 {
		c.MaxFrames = 400
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxCost == 0 {
		c.MaxCost = 10 * time.Second
	}
	if c.ReleaseInterval == 0 {
		c.ReleaseInterval = 10 * time.Second
	}
	if c.LayerCache == 0 {
		c.LayerCache = DefaultLayerCache
	}
	if c.FaceCascade == "" {
		c.FaceCascade = DefaultFaceCascade
	}
}

// Validate checks the settings; the error names the field.
func (c *Config) Validate() error {
	switch {
	case c.MaxInputPixels < 0:
		return config.Errorf("max_input_pixels", "must not be negative")
	case c.MaxOutputDimension < 0 || c.MaxOutputDimension > 65535:
		return config.Errorf("max_output_dimension", "must be between 1 and 65535")
	case c.MaxOutputPixels < 0:
		return config.Errorf("max_output_pixels", "must not be negative")
	case c.MaxInputSize < 0:
		return config.Errorf("max_input_size", "must not be negative")
	case c.Workers < 0:
		return config.Errorf("workers", "must not be negative")
	case c.MaxFrames < 0:
		return config.Errorf("max_frames", "must not be negative")
	case c.Queue < 0:
		return config.Errorf("queue", "must not be negative")
	case c.Timeout < 0:
		return config.Errorf("timeout", "must not be negative")
	}
	return nil
}
