package edge

import (
	"bytes"
	"errors"
	"net"

	"github.com/valyala/fasthttp"
)

// HTTP/1.1 strictness (RFC 9112) where fasthttp is lenient, checked before
// a request is routed, and the limits on a request's head.
//
// fasthttp accepts any HTTP/d.d version, joins obsolete line folding into
// the header it continues, and serves a request that carries both
// Transfer-Encoding and Content-Length (it only closes the connection
// after). A proxy in front of the edge may have framed such a request
// otherwise (request smuggling), so the edge refuses them: 505 for a
// version other than 1.x, 400 for a fold and for both framing headers,
// and closes the connection. None of these can be configured in fasthttp;
// the checks read what it parsed, and the raw header block it keeps, and
// allocate nothing.
//
// fasthttp reads a request's head into one buffer of ReadBufferSize and
// answers 431 when it does not fit; it cannot tell a long request line
// from long headers. The buffer holds max_url_length plus max_header_bytes
// (plus the method and version), and the checks answer 414 for a URI over
// max_url_length and 431 for headers over max_header_bytes, each on its
// own; only a head longer than both together is fasthttp's 431.

// requestLineSlack is room in the head buffer for the request line's
// method, spaces, version and CRLF around the URI.
const requestLineSlack = 64

// headBufferSize is fasthttp's ReadBufferSize for cfg.
func headBufferSize(cfg *Config) int {
	return int(cfg.MaxHeaderBytes) + cfg.MaxURLLength + requestLineSlack
}

// Refusals' texts (X-Cld-Error).
const (
	msgVersion      = "HTTP version not supported"
	msgFold         = "Obsolete line folding in request headers"
	msgFraming      = "Transfer-Encoding and Content-Length in one request"
	msgURLTooLong   = "URL too long" // as delivery.Parser says it
	msgHeadTooLarge = "Request header fields too large"
)

// admit answers a request the edge refuses before routing it and reports
// false; it reports true, without touching ctx, for every other request.
// After a framing refusal the connection is closed: what follows on it
// cannot be trusted to start a request.
func (s *Server) admit(ctx *fasthttp.RequestCtx) bool {
	h := &ctx.Request.Header
	var status int
	var msg string
	keep := false
	switch {
	case !h.IsHTTP11() && !isHTTP1(h.Protocol()):
		status, msg = fasthttp.StatusHTTPVersionNotSupported, msgVersion
	case len(h.RequestURI()) > s.cfg.MaxURLLength:
		status, msg, keep = fasthttp.StatusRequestURITooLong, msgURLTooLong, true
	case len(h.RawHeaders()) > int(s.cfg.MaxHeaderBytes):
		status, msg, keep = fasthttp.StatusRequestHeaderFieldsTooLarge, msgHeadTooLarge, true
	default:
		if msg = framingError(h); msg == "" {
			return true
		}
		status = fasthttp.StatusBadRequest
	}
	s.m.requests.Add(1)
	if !keep {
		ctx.SetConnectionClose()
	}
	s.fail(ctx, status, msg)
	return false
}

// isHTTP1 reports whether a version fasthttp accepted (HTTP/d.d) is 1.x:
// a higher minor version is served as HTTP/1.1 (RFC 9110 §2.5).
func isHTTP1(proto []byte) bool { return len(proto) == 8 && proto[5] == '1' }

// framingError finds obsolete line folding and Transfer-Encoding with
// Content-Length in a request's head, and says which ("" for neither):
// folding in the raw block (fasthttp has joined the lines it folds); both
// framing headers only when fasthttp says one was there:
// "Transfer-Encoding: chunked" makes the length -1, and any
// Transfer-Encoding with a Content-Length makes it close the connection
// ("Connection: close" and HTTP/1.0 do too, and merely cost a look).
func framingError(h *fasthttp.RequestHeader) string {
	raw := h.RawHeaders()
	for i := 0; ; {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 || i+j+1 >= len(raw) {
			break
		}
		i += j + 1
		if c := raw[i]; c == ' ' || c == '\t' {
			return msgFold
		}
	}
	if h.ContentLength() != -1 && !h.ConnectionClose() {
		return ""
	}
	if hasField(raw, "transfer-encoding") && hasField(raw, "content-length") {
		return msgFraming
	}
	return ""
}

// hasField reports whether the raw header block has a field named name
// (lower case), in any case.
func hasField(raw []byte, name string) bool {
	for len(raw) > len(name) {
		if raw[len(name)] == ':' && bytes.EqualFold(raw[:len(name)], s2b(name)) {
			return true
		}
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return false
		}
		raw = raw[i+1:]
	}
	return false
}

// parseError answers a request fasthttp could not read (its ErrorHandler),
// as the edge answers its own errors, with X-Cld-Error: 431 for a head
// that does not fit in the buffer, 413 for a body over the limit, 408 for
// a read that timed out, else 400. fasthttp closes the connection.
func (s *Server) parseError(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		s.fail(ctx, fasthttp.StatusRequestHeaderFieldsTooLarge, msgHeadTooLarge)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		s.fail(ctx, fasthttp.StatusRequestEntityTooLarge, "Request body too large")
	case errors.As(err, &ne) && ne.Timeout():
		s.fail(ctx, fasthttp.StatusRequestTimeout, "Request timeout")
	default:
		s.fail(ctx, fasthttp.StatusBadRequest, "Malformed request")
	}
}
