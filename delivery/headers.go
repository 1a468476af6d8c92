package delivery

// The HTTP headers of the edge–origin contract, in canonical form: what an
// edge sends an origin, what an origin answers besides the standard
// headers, and what both answer clients with.
const (
	// HeaderVariant names the variant an edge wants of a varying URL, in
	// the variant's text form (Variant.String). An origin makes that
	// variant, whatever the request's Accept and client hints say; without
	// the header it negotiates the variant from them itself.
	HeaderVariant = "X-Delivery-Variant"
	// HeaderVersion carries the asset's current version on delivered
	// content; edges pass it on to clients.
	HeaderVersion = "X-Asset-Version"
	// HeaderDefaultImage marks a response served from d_<default> because
	// the asset does not exist: edges cache it like a 404.
	HeaderDefaultImage = "X-Default-Image"
	// HeaderError is Cloudinary's error header: the public message of an
	// error answer (passed through Echo), exposed to scripts by CORS.
	HeaderError = "X-Cld-Error"
	// HeaderAccess marks an origin's answer to an unsigned URL of an asset
	// that only a token (or a signed URL) may see, outside its anonymous
	// windows (Access): an edge that caches it checks each request's token
	// and the clock before serving it.
	HeaderAccess = "X-Cld-Access"

	// HeaderAccept, HeaderSecCHDPR, HeaderDPR and the width hints are
	// the request headers a variant is negotiated from (NegotiateVariant,
	// Hints): f_auto and q_auto read Accept, dpr_auto the Sec-CH-DPR
	// client hint or the older DPR header, w_auto the width hints
	// (AutoWidth).
	HeaderAccept             = "Accept"
	HeaderSecCHDPR           = "Sec-CH-DPR"
	HeaderDPR                = "DPR"
	HeaderSecCHWidth         = "Sec-CH-Width"
	HeaderWidth              = "Width"
	HeaderSecCHViewportWidth = "Sec-CH-Viewport-Width"
	HeaderViewportWidth      = "Viewport-Width"

	// HeaderAcceptCH asks browsers for client hints; AcceptCH is its value
	// on the delivery answers of a cloud that enables client hints: the
	// hints dpr_auto and w_auto read.
	HeaderAcceptCH = "Accept-CH"
	AcceptCH       = HeaderSecCHDPR + ", " + HeaderSecCHWidth + ", " + HeaderSecCHViewportWidth
)
