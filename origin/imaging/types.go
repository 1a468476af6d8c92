package imaging

import "github.com/mediacdn/mediacdn/delivery"

// The package's data types, shared by the libvips implementation (cgo)
// and the stand-in of builds without cgo (nocgo.go).

// Info is what an image's header says.
type Info struct {
	Format delivery.Format
	// Width and Height are as displayed, after the EXIF orientation (as
	// Cloudinary reports them); for multi-page images, one page's.
	Width, Height int
	Alpha         bool
	Orientation   int // EXIF orientation, 0 when absent or 1
	Pages         int // pages or frames, 1 for still images
}

// Request is one transform.
type Request struct {
	// Transformation is the components in order; t_ named transformations
	// must already be expanded by the caller (a t_ here answers 400).
	Transformation delivery.Transformation
	// Format is the output format the caller resolved: the last f_ in the
	// transformation, else the URL extension. FormatNone keeps the input's
	// format (JPEG or PNG for inputs that cannot be written: TIFF, HEIC);
	// delivery.FormatAuto negotiates with Accept.
	Format delivery.Format
	// Accept is, for f_auto, delivery.AVIF, delivery.WebP or
	// delivery.FormatNone (then JPEG, or PNG when the result has alpha).
	// delivery.Negotiate computes it from an Accept header.
	Accept delivery.Format
	// DPR is the client hint used for dpr_auto; 0 means 1.
	DPR float64
	// AutoWidth is the width w_auto stands for, in device pixels, when
	// HasAutoWidth: delivery.AutoWidth.Width of the request's hints (0
	// keeps the image's own width). Without HasAutoWidth, w_auto answers
	// 400 (autowidth.go).
	AutoWidth    int
	HasAutoWidth bool
	// Layers holds the encoded originals of the image and fetch layers
	// (l_, u_) the transformation names, keyed by the layer's value as
	// written ("logo", "private:folder:logo", "fetch:aHR0..."): the caller
	// reads them from its store or the remote (delivery.ParseLayer names
	// them); this package never does. A layer missing here answers 404.
	Layers map[string][]byte
	// Tags and Context are the asset's, which conditions read
	// (if_!sale!_in_tags, if_ctx:!key!_eq_!value!: conditions.go).
	Tags    []string
	Context map[string]string
	// Faces and Custom are the asset's face_coordinates and
	// custom_coordinates (x, y, width, height in the original's pixels as
	// displayed): a first component's g_face and g_faces use Faces instead
	// of detecting, g_custom the first of Custom (faces_plan.go).
	Faces, Custom [][4]int
}

// Result is an encoded image.
type Result struct {
	Body          []byte
	Format        delivery.Format
	Width, Height int
}

// TextRequest is the Upload API's text method (POST
// /v1_1/<cloud>/image/text): an image of Text in a font, as Cloudinary
// renders it. Zero values take Cloudinary's defaults.
type TextRequest struct {
	Text string
	// FontFamily is a font family name (fontconfig picks the closest
	// installed font). Empty means Arial.
	FontFamily string
	// FontSize is in points (rendered at 72 dpi: one point, one pixel).
	// Zero means 12.
	FontSize int
	// FontColor and Background are a colour name, #rrggbb[aa], #rgb[a] or
	// rgb:rrggbb[aa]. Empty means black and transparent.
	FontColor, Background string
	// FontWeight is "normal" or "bold"; FontStyle "normal" or "italic";
	// TextDecoration "none" or "underline". Empty means the first.
	FontWeight, FontStyle, TextDecoration string
	// Opacity of the text, 1-100. Zero means 100 (so fully transparent
	// text cannot be asked for).
	Opacity int
}

// Stats is a snapshot for metrics (Prometheus gauges).
type Stats struct {
	Workers       int // transforms that can run at once
	Busy          int // transforms running
	Queued        int // transforms waiting for a slot
	QueueCapacity int // past it, Transform answers 503
	// libvips' tracked memory (pixel buffers; not malloc'd decoder state).
	VipsMemory          int64
	VipsMemoryHighwater int64
	VipsAllocations     int64
	// DirectJPEGDecodes counts JPEG inputs decoded by libjpeg straight into
	// memory instead of libvips' loader (see Config.LibvipsJPEG).
	DirectJPEGDecodes int64
	// LayerDecodes counts image layers decoded, LayerCacheHits those taken
	// prepared from the layer cache instead (Config.LayerCache), which
	// holds LayerCacheBytes of pixels in LayerCacheEntries layers.
	LayerDecodes      int64
	LayerCacheHits    int64
	LayerCacheBytes   int64
	LayerCacheEntries int
}

// Tile is one image of a sprite: where Sprite put it, and its size.
type Tile struct {
	X, Y, Width, Height int
}
