package delivery

// CORS for delivery URLs, the same at edges and origins. Every delivery
// response carries Access-Control-Allow-Origin: * (and exposes
// X-Cld-Error), as Cloudinary's do. Delivery needs no credentials, so a
// preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered 204 without looking at the URL or asking anyone: the methods
// below, the headers the browser asked for (AllowHeaders), and how long the
// browser may keep the answer.
const (
	// AllowedMethods are the methods delivery answers: the Allow header of
	// OPTIONS and 405 answers, and Access-Control-Allow-Methods.
	AllowedMethods = "GET, HEAD, OPTIONS"
	// PreflightMaxAge is Access-Control-Max-Age, in seconds: a day
	// (browsers cap it lower: Chromium at two hours).
	PreflightMaxAge = "86400"
	// maxRequestedHeaders bounds the Access-Control-Request-Headers list
	// echoed back.
	maxRequestedHeaders = 1024
)

// AllowHeaders is the Access-Control-Allow-Headers answer to a preflight's
// Access-Control-Request-Headers: the list itself when it is a well-formed
// comma-separated list of header names, else "" (then the header is left
// out, and a browser that asked for more than the CORS-safelisted headers
// does not send the request).
func AllowHeaders(requested string) string {
	if len(requested) > maxRequestedHeaders {
		return ""
	}
	names := 0
	for rest := requested; rest != ""; {
		var item string
		item, rest, _ = cut(rest, ',')
		item = trimSpace(item)
		if item == "" {
			continue // empty list elements are allowed (RFC 9110 5.6.1)
		}
		for i := 0; i < len(item); i++ {
			if !isTokenChar(item[i]) {
				return ""
			}
		}
		names++
	}
	if names == 0 {
		return ""
	}
	return requested
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110).
func isTokenChar(c byte) bool {
	if isWord(c) {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '`', '|', '~':
		return true
	}
	return false
}
