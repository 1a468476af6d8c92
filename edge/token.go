package edge

import (
	"bytes"
	"fmt"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// Token-based authentication at the edge (docs/access-control.md). An
// origin marks its answer to an unsigned URL of an asset only a token may
// see with delivery.HeaderAccess (and the asset's anonymous windows); the
// entry keeps it, and every request served from it, hit, stale or miss, is
// checked here: inside an anonymous window anyone, else only a request
// with a valid __cld_token__ (query parameter or cookie), verified with the
// cloud's auth_token_key without asking the origin. The token is never
// part of the cache key: one entry serves every token holder.
//
// The client address a token's ip= is checked against is the peer address
// of the connection, or behind trusted proxies the address they report
// (clientip.go).
//
// Fills carry a token of the edge's own (fillTokenTTL, for the fill's
// path only) so that the origin delivers such an asset to the edge
// whatever the client sent.

// fillTokenTTL is how long the token an edge sends with a fill is valid,
// clock skew between edge and origin included.
const fillTokenTTL = 5 * time.Minute

// tokenKeys are the clouds' decoded auth_token_key.
type tokenKeys map[string]*delivery.TokenKey

func newTokenKeys(hexKeys map[string]string) (tokenKeys, error) {
	keys := tokenKeys{}
	for cloud, h := range hexKeys {
		k, err := delivery.ParseTokenKey(h)
		if err != nil {
			return nil, fmt.Errorf("edge: clouds.%s.auth_token_key: %w", cloud, err)
		}
		keys[cloud] = &k
	}
	return keys, nil
}

var (
	hAccess     = []byte(delivery.HeaderAccess)
	noTokenKey  = &delivery.TokenKey{}
	vCCPrivate  = []byte("private, no-cache")
	tokenCookie = delivery.TokenName
)

// granted reports whether this request may be served e. When it may not,
// it has answered 401 with the reason in X-Cld-Error. It allocates
// nothing.
func (s *Server) granted(ctx *fasthttp.RequestCtx, e *entry, now int64) bool {
	if e.access == nil {
		return true
	}
	sec := now / int64(time.Second)
	if e.access.Anonymous(sec) {
		return true
	}
	r := s.verifyToken(ctx, e.target.Cloud, sec)
	if r == delivery.TokenOK {
		return true
	}
	s.fail(ctx, fasthttp.StatusUnauthorized, r.Message())
	ctx.Response.Header.SetCanonical(hCacheControl, s.hv.ccNoStore)
	return false
}

// verifyToken checks the request's token (the query parameter, else the
// cookie) for the cloud.
func (s *Server) verifyToken(ctx *fasthttp.RequestCtx, cloud string, sec int64) delivery.TokenResult {
	uri := ctx.Request.Header.RequestURI()
	path, query := uri, []byte(nil)
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		path, query = uri[:i], uri[i+1:]
	}
	tok := delivery.TokenFromQuery(b2s(query))
	if tok == "" {
		tok = b2s(ctx.Request.Header.Cookie(tokenCookie))
	}
	key := s.tokens[cloud]
	if key == nil {
		key = noTokenKey
	}
	ip := s.clientIP(ctx)
	return delivery.VerifyToken(key, tok, &delivery.TokenRequest{Path: b2s(path), Cloud: cloud, IP: ip, Now: sec})
}

// accessOf reads an origin's HeaderAccess: nil when the answer is for
// anyone.
func accessOf(h *fasthttp.ResponseHeader) *delivery.Access {
	v := h.PeekBytes(hAccess)
	if len(v) == 0 {
		return nil
	}
	a := delivery.ParseAccess(string(v))
	return &a
}

// appendFillToken appends "?__cld_token__=<token>" for a fill of path to
// an origin when the cloud has a key.
func (s *Server) appendFillToken(uri []byte, cloud string, path []byte) []byte {
	key := s.tokens[cloud]
	if key == nil {
		return uri
	}
	exp := s.now().Add(fillTokenTTL).Unix()
	uri = append(uri, '?')
	uri = append(uri, delivery.TokenName...)
	uri = append(uri, '=')
	return delivery.AppendURLToken(uri, key, b2s(path), exp)
}
