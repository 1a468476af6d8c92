package origin

import (
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Who may see an asset through an unsigned URL (docs/access-control.md):
// anyone, unless the URL's type is authenticated, the asset's access mode
// is authenticated, or its access_control limits it (token entries and
// anonymous windows). Then a valid __cld_token__ (query parameter or
// cookie, delivery.VerifyToken with the cloud's auth_token_key) stands in
// for the signature, and outside every anonymous window nothing else
// does. The answer tells edges so (delivery.HeaderAccess), with the
// windows, and they check each request they serve from their cache
// themselves. A signed URL needs none of this: its signature is in its
// path, so in the edges' cache key.

// requestToken checks the request's token for the URL: the query's
// __cld_token__, else the cookie's; the client is the peer address, or
// behind trusted proxies the address they report (Config.TrustedProxies).
func requestToken(r *http.Request, proxies *delivery.ClientIP, u *delivery.URL, cl config.Cloud, now int64) delivery.TokenResult {
	path, query, _ := strings.Cut(r.RequestURI, "?")
	tok := delivery.TokenFromQuery(query)
	if tok == "" {
		if c, err := r.Cookie(delivery.TokenName); err == nil {
			tok = c.Value
		}
	}
	var key delivery.TokenKey
	if cl.AuthTokenKey != "" {
		key, _ = delivery.ParseTokenKey(cl.AuthTokenKey) // validated with the config
	}
	ip := proxies.ClientOf(r)
	return delivery.VerifyToken(&key, tok, &delivery.TokenRequest{Path: path, Cloud: u.Cloud, IP: ip, Now: now})
}

// tokenRefusal is the 401 for a token that does not grant the request;
// without any token, missing names what the request lacks.
func tokenRefusal(res delivery.TokenResult, missing string) error {
	if res == delivery.TokenMissing {
		return delivery.Errorf(http.StatusUnauthorized, "%s", missing)
	}
	return delivery.Errorf(http.StatusUnauthorized, "%s", res.Message())
}

// checkAuthenticatedURL refuses an unsigned URL of type authenticated
// without a valid token, before the asset is looked up.
func (s *Server) checkAuthenticatedURL(r *http.Request, u *delivery.URL, cl config.Cloud) error {
	if u.Signed() || u.Type != delivery.Authenticated {
		return nil
	}
	if res := requestToken(r, s.proxies, u, cl, s.now().Unix()); res != delivery.TokenOK {
		return tokenRefusal(res, "Missing URL signature - authenticated assets need a signed URL")
	}
	return nil
}

// gate decides whether an unsigned request may have asset a, and what
// edges must check before serving the answer from their cache: nil when
// anyone may.
func (s *Server) gate(r *http.Request, u *delivery.URL, cl config.Cloud, a *meta.Asset) (*delivery.Access, error) {
	if u.Signed() {
		return nil, nil
	}
	windows, limited := anonymousWindows(a)
	switch {
	case u.Type == delivery.Authenticated:
		// checkAuthenticatedURL has checked the token.
		return &delivery.Access{}, nil
	case a.AccessMode == meta.AccessAuthenticated:
		if res := requestToken(r, s.proxies, u, cl, s.now().Unix()); res != delivery.TokenOK {
			return nil, tokenRefusal(res,
				"Missing URL signature - assets whose access mode is authenticated need a signed URL")
		}
		return &delivery.Access{}, nil
	case !limited:
		return nil, nil
	}
	access := &delivery.Access{Windows: windows}
	if access.Anonymous(s.now().Unix()) {
		return access, nil
	}
	if res := requestToken(r, s.proxies, u, cl, s.now().Unix()); res != delivery.TokenOK {
		return nil, tokenRefusal(res, "Missing token - the asset's access_control allows no anonymous access now")
	}
	return access, nil
}
