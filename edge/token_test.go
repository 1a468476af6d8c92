package edge

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/asset"
	"github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const edgeTokenKey = "a1b2c3d4e5f60718"

// tokenOrigin stands in for an origin that delivers a gated asset: it
// answers 401 unless the request carries a valid token for its path (the
// edge's own), and marks its answer with HeaderAccess (access).
func tokenOrigin(t *testing.T, access *atomic.Value) http.HandlerFunc {
	k, err := delivery.ParseTokenKey(edgeTokenKey)
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		tok := delivery.TokenFromQuery(r.URL.RawQuery)
		req := &delivery.TokenRequest{Path: r.URL.EscapedPath(), Now: time.Now().Unix()}
		if res := delivery.VerifyToken(&k, tok, req); res != delivery.TokenOK {
			w.Header().Set(delivery.HeaderError, res.Message())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set(delivery.HeaderAccess, access.Load().(string))
		imageOrigin(w, r)
	}
}

// sdkToken is the Go SDK's token (name=value) for c, at the edge's clock.
func sdkToken(c config.AuthToken) string {
	c.Key = edgeTokenKey
	return asset.AuthToken{Config: &c}.Generate("")
}

func startTokenEdge(t *testing.T, access string) (*testEdge, *testOrigin, *atomic.Value) {
	var a atomic.Value
	a.Store(access)
	o := startTestOrigin(t, tokenOrigin(t, &a))
	e := startEdge(t, func(c *Config) { c.AuthTokenKeys = map[string]string{"demo": edgeTokenKey} }, o.URL)
	return e, o, &a
}

// The edge verifies tokens on every request for an entry its origin
// marked: valid ones (query or cookie) are served from one cache entry,
// expired, tampered, wrong-ACL and wrong-IP ones answer 401 naming why,
// and so does no token at all. The origin is asked once.
func TestEdgeVerifiesTokens(t *testing.T) {
	e, o, _ := startTokenEdge(t, "token")
	path := "/demo/image/authenticated/v1/pic.jpg"
	now := e.Clock.now().Unix()
	ok := sdkToken(config.AuthToken{ACL: "/image/authenticated/*", Expiration: now + 60})
	tampered := strings.Replace(ok, "exp=", "exp=1", 1)
	for i, c := range []struct {
		query, cookie string
		status        int
		reason        string
	}{
		{ok, "", 200, ""},
		{ok, "", 200, ""},
		{sdkToken(config.AuthToken{ACL: "*", Expiration: now + 1, IP: "127.0.0.1"}), "", 200, ""},
		{"", ok, 200, ""},
		{"_a=BAMAROfk0", ok, 200, ""},
		{"", "", 401, "Missing token"},
		{sdkToken(config.AuthToken{ACL: "*", Expiration: now - 1}), "", 401, "expired"},
		{sdkToken(config.AuthToken{ACL: "*", StartTime: now + 10, Duration: 60}), "", 401, "not yet valid"},
		{tampered, "", 401, "bad hmac"},
		{sdkToken(config.AuthToken{ACL: "/video/*", Expiration: now + 60}), "", 401, "acl"},
		{sdkToken(config.AuthToken{ACL: "*", Expiration: now + 60, IP: "198.51.100.9"}), "", 401, "wrong ip"},
		{"", "__cld_token__=exp=1", 401, "malformed"},
	} {
		u := e.URL + path
		if c.query != "" {
			u += "?" + c.query
		}
		var h []string
		if c.cookie != "" {
			h = []string{"Cookie", c.cookie}
		}
		g := testkit.Get(t, u, h...)
		if g.Status != c.status || !strings.Contains(g.Header.Get("X-Cld-Error"), c.reason) {
			t.Errorf("%d: %s cookie %q: %d %q, want %d %q", i, u, c.cookie, g.Status, g.Header.Get("X-Cld-Error"), c.status, c.reason)
		}
		if g.Status == 200 && (g.Header.Get("Cache-Control") != "private, no-cache" || !strings.HasPrefix(string(g.Body), "image:")) {
			t.Errorf("%d: served %q with Cache-Control %q", i, g.Body, g.Header.Get("Cache-Control"))
		}
		if g.Status == 401 && g.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%d: refusal with Cache-Control %q", i, g.Header.Get("Cache-Control"))
		}
	}
	if n := o.hits(path); n != 1 {
		t.Errorf("origin asked %d times, want once: one entry for every token", n)
	}
}

// An entry the origin marked with anonymous windows is served to anyone
// inside one and only with a token outside, on the edge's clock, hit
// after hit.
func TestEdgeAnonymousWindow(t *testing.T) {
	var e *testEdge
	e, _, a := startTokenEdge(t, "")
	now := e.Clock.now().Unix()
	a.Store("token anonymous=" + itoa(int(now+10)) + "-" + itoa(int(now+20)))
	u := e.URL + "/demo/image/upload/v1/window.jpg"
	tok := "?" + sdkToken(config.AuthToken{ACL: "*", Expiration: now + 3600})
	for _, c := range []struct {
		at             time.Duration
		status, tokens int
	}{
		{0, 401, 200}, {10 * time.Second, 200, 200}, {19 * time.Second, 200, 200}, {20 * time.Second, 401, 200},
	} {
		e.Clock.advance(c.at - time.Duration(e.Clock.now().Unix()-now)*time.Second)
		if g := testkit.Get(t, u); g.Status != c.status {
			t.Errorf("at +%v: anonymous %d, want %d", c.at, g.Status, c.status)
		}
		if g := testkit.Get(t, u+tok); g.Status != c.tokens {
			t.Errorf("at +%v: with a token %d, want %d", c.at, g.Status, c.tokens)
		}
	}
}

// Without a key for the cloud, a marked entry is served to nobody but in
// its windows: no token can be checked.
func TestEdgeTokenWithoutKey(t *testing.T) {
	var a atomic.Value
	a.Store("token")
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(delivery.HeaderAccess, a.Load().(string))
		imageOrigin(w, r)
	})
	e := startEdge(t, nil, o.URL)
	now := e.Clock.now().Unix()
	tok := sdkToken(config.AuthToken{ACL: "*", Expiration: now + 60})
	g := testkit.Get(t, e.URL+"/demo/image/authenticated/v1/pic.jpg?"+tok)
	if g.Status != 401 || !strings.Contains(g.Header.Get("X-Cld-Error"), "auth_token_key") {
		t.Fatalf("%d %q", g.Status, g.Header.Get("X-Cld-Error"))
	}
}
