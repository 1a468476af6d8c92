package delivery

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/asset"
	"github.com/cloudinary/cloudinary-go/v2/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const (
	testTokenKey = "00112233FF99aabb"
	tokenNow     = int64(1_800_000_000)
)

var (
	clientIP = netip.MustParseAddr("203.0.113.7")
	picPath  = "/demo/image/authenticated/v1/pic.jpg"
)

// goToken is the Go SDK's token for c (its asset.AuthToken), without the
// name; path is the URL a token without acl signs.
func goToken(t *testing.T, c config.AuthToken, path string) string {
	t.Helper()
	if c.Key == "" {
		c.Key = testTokenKey
	}
	tok := asset.AuthToken{Config: &c}.Generate(path)
	return strings.TrimPrefix(tok, TokenName+"=")
}

// goURL is the Go SDK's delivery URL of an authenticated image with a
// token (Config.AuthToken with SignURL): path and token.
func goURL(t *testing.T, publicID string, c config.AuthToken) (string, string) {
	t.Helper()
	conf, err := config.NewFromParams("demo", "demo_key", "demo_secret")
	if err != nil {
		t.Fatal(err)
	}
	conf.URL.SignURL = true
	conf.URL.Analytics = false
	if c.Key == "" {
		c.Key = testTokenKey
	}
	conf.AuthToken = c
	img, err := asset.Image(publicID, conf)
	if err != nil {
		t.Fatal(err)
	}
	img.DeliveryType = api.Authenticated
	img.Version = 1
	s, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u.EscapedPath(), "/s--") {
		t.Fatalf("the SDK signed the path besides the token: %s", s)
	}
	return u.EscapedPath(), TokenFromQuery(u.RawQuery)
}

func key(t testing.TB, hexKey string) *TokenKey {
	k, err := ParseTokenKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

// Tokens the Go SDK generates verify, and each way a token can fail is
// told apart.
func TestVerifyTokenGoSDK(t *testing.T) {
	k := key(t, testTokenKey)
	req := func(path string) *TokenRequest {
		return &TokenRequest{Path: path, Cloud: "demo", IP: clientIP, Now: tokenNow}
	}
	urlPath, urlTok := goURL(t, "pic.jpg", config.AuthToken{Expiration: tokenNow + 60})
	escPath, escTok := goURL(t, "dir/ñandú pic.jpg", config.AuthToken{Expiration: tokenNow + 60})
	tampered := strings.Replace(goToken(t, config.AuthToken{ACL: "/image/*", Expiration: tokenNow + 60}, ""),
		"exp=", "exp=9", 1)
	for _, c := range []struct {
		name  string
		token string
		req   *TokenRequest
		want  TokenResult
	}{
		{"acl", goToken(t, config.AuthToken{ACL: "/image/authenticated/*", Duration: 60, StartTime: tokenNow - 1}, ""),
			req(picPath), TokenOK},
		{"acl with the cloud", goToken(t, config.AuthToken{ACL: "/demo/image/*", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenOK},
		{"acl in the middle", goToken(t, config.AuthToken{ACL: "*/v1/*.jpg", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenOK},
		{"url", urlTok, req(urlPath), TokenOK},
		{"url escaped", escTok, req(escPath), TokenOK},
		{"ip", goToken(t, config.AuthToken{ACL: "*", IP: "203.0.113.7", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenOK},
		{"url of another path", urlTok, req("/demo/image/authenticated/v1/other.jpg"), TokenBadHMAC},
		{"expired", goToken(t, config.AuthToken{ACL: "*", Expiration: tokenNow - 1}, ""), req(picPath), TokenExpired},
		{"not yet valid", goToken(t, config.AuthToken{ACL: "*", StartTime: tokenNow + 10, Duration: 60}, ""),
			req(picPath), TokenNotYetValid},
		{"tampered", tampered, req(picPath), TokenBadHMAC},
		{"other key", goToken(t, config.AuthToken{Key: "aabb", ACL: "*", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenBadHMAC},
		{"wrong acl", goToken(t, config.AuthToken{ACL: "/video/*", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenACLMismatch},
		{"acl of another cloud", goToken(t, config.AuthToken{ACL: "/other/image/*", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenACLMismatch},
		{"wrong ip", goToken(t, config.AuthToken{ACL: "*", IP: "198.51.100.1", Expiration: tokenNow + 1}, ""),
			req(picPath), TokenIPMismatch},
		{"missing", "", req(picPath), TokenMissing},
		{"malformed", "exp=1~hmac", req(picPath), TokenMalformed},
		{"no exp", "acl=*~hmac=00", req(picPath), TokenMalformed},
		{"unknown field", "exp=1~id=3~hmac=00", req(picPath), TokenMalformed},
		{"twice", "exp=1~exp=2~hmac=00", req(picPath), TokenMalformed},
	} {
		if got := VerifyToken(k, c.token, c.req); got != c.want {
			t.Errorf("%s: VerifyToken(%q, %s) = %d (%s), want %d", c.name, c.token, c.req.Path, got, got.Message(), c.want)
		}
	}
	if got := VerifyToken(&TokenKey{}, urlTok, req(urlPath)); got != TokenNoKey {
		t.Errorf("no key: %d", got)
	}
}

// The Go SDK's own published vectors (asset/auth_token_test.go,
// asset_test.go) verify: the SDK's acl and url tokens, start time
// 11111111 for 300 s, key 00112233FF99.
func TestVerifyTokenSDKVectors(t *testing.T) {
	k := key(t, "00112233FF99")
	at := &TokenRequest{Path: "/demo/image/authenticated/v1486020273/sample.jpg", Now: 1111111111 + 10}
	tok := "st=1111111111~exp=1111111411~acl=%2fimage%2f*~hmac=" +
		"1751370bcc6cfe9e03f30dd1a9722ba0f2cdca283fa3e6df3342a00a7528cc51"
	if got := VerifyToken(k, tok, at); got != TokenACLMismatch {
		t.Errorf("acl vector, shared host: %s", got.Message())
	}
	at.Cloud = "demo"
	if got := VerifyToken(k, tok, at); got != TokenOK {
		t.Errorf("acl vector: %s", got.Message())
	}
	at = &TokenRequest{Path: "/image/authenticated/v1486020273/sample.jpg", Now: 11111111 + 10}
	tok = "st=11111111~exp=11111411~hmac=8db0d753ee7bbb9e2eaf8698ca3797436ba4c20e31f44527e43b6a6e995cfdb3"
	if got := VerifyToken(k, tok, at); got != TokenOK {
		t.Errorf("private CDN url vector: %s", got.Message())
	}
	at.Path = "/test123/image/authenticated/v1486020273/%C3%B1and%C3%BA.jpg"
	tok = "st=11111111~exp=11111411~hmac=e0dba2c6680a1efe6a89c4dc0302c86400d2684dcc07da32db4e9804ee284955"
	if got := VerifyToken(k, tok, at); got != TokenOK {
		t.Errorf("url vector: %s", got.Message())
	}
}

// Tokens the Node SDK generates (test/node/authtoken.js: its
// utils.generate_auth_token, and cloudinary.url with auth_token) verify,
// a list of ACLs ("!") included.
func TestVerifyTokenNodeSDK(t *testing.T) {
	k := key(t, testTokenKey)
	opts := func(extra string) string {
		return `{"key":"` + testTokenKey + `","expiration":` + itoa(tokenNow+60) + extra + `}`
	}
	cases := []struct {
		in   string
		path string
		ip   string
		want TokenResult
	}{
		{`{"token":` + opts(`,"acl":"/image/authenticated/*"`) + `}`, picPath, "", TokenOK},
		{`{"token":` + opts(`,"acl":["/video/*","/image/*"]`) + `}`, picPath, "", TokenOK},
		{`{"token":` + opts(`,"acl":["/video/*","/raw/*"]`) + `}`, picPath, "", TokenACLMismatch},
		{`{"token":` + opts(`,"acl":"*","ip":"203.0.113.7"`) + `}`, picPath, "", TokenOK},
		{`{"token":` + opts(`,"acl":"*","ip":"203.0.113.8"`) + `}`, picPath, "", TokenIPMismatch},
		{`{"token":{"key":"` + testTokenKey + `","start_time":` + itoa(tokenNow-100) + `,"duration":50,"acl":"*"}}`,
			picPath, "", TokenExpired},
		{`{"token":` + opts(`,"url":"`+picPath+`"`) + `}`, picPath, "", TokenOK},
		{`{"url":["pic.jpg",{"cloud_name":"demo","type":"authenticated","sign_url":true,"version":1,` +
			`"urlAnalytics":false,"auth_token":` + opts("") + `}]}`, "", "", TokenOK},
		{`{"url":["dir/ñandú pic.jpg",{"cloud_name":"demo","type":"authenticated","sign_url":true,"version":1,` +
			`"urlAnalytics":false,"auth_token":` + opts("") + `}]}`, "", "", TokenOK},
	}
	var in []json.RawMessage
	for _, c := range cases {
		in = append(in, json.RawMessage(c.in))
	}
	out := runNodeTokens(t, in)
	for i, c := range cases {
		tok, path := strings.TrimPrefix(out[i], TokenName+"="), c.path
		if strings.HasPrefix(out[i], "http") {
			u, err := url.Parse(out[i])
			if err != nil {
				t.Fatal(err)
			}
			path, tok = u.EscapedPath(), TokenFromQuery(u.RawQuery)
		}
		r := &TokenRequest{Path: path, Cloud: "demo", IP: clientIP, Now: tokenNow}
		if got := VerifyToken(k, tok, r); got != c.want {
			t.Errorf("%s: %q: %d (%s), want %d", c.in, out[i], got, got.Message(), c.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runNodeTokens runs test/node/authtoken.js. Where node or the SDK is
// missing it skips, or fails when MEDIACDN_NODE_SDK=required (make test).
func runNodeTokens(t *testing.T, cases []json.RawMessage) []string {
	t.Helper()
	cmd := testkit.NodeSDK(t, "authtoken.js")
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = bytes.NewReader(in)
	raw, err := cmd.CombinedOutput()
	var res struct {
		OK  bool     `json:"ok"`
		Out []string `json:"out"`
	}
	if err != nil || json.Unmarshal(raw, &res) != nil || !res.OK || len(res.Out) != len(cases) {
		t.Fatalf("node authtoken.js: %v\n%s", err, raw)
	}
	return res.Out
}

// Globs: "*" spans "/", "%2a" is a literal star, several stars backtrack.
func TestACLGlobs(t *testing.T) {
	for _, c := range []struct {
		glob, s string
		want    bool
	}{
		{"*", "/a/b", true},
		{"/a/*", "/a/b/c.jpg", true},
		{"%2fa%2f*", "/a/b", true},
		{"/a/*", "/b/a/c", false},
		{"/a/*.jpg", "/a/b.jpg.png", false},
		{"/a/*.jpg*", "/a/b.jpg.png", true},
		{"*b*c*", "xxbyyczz", true},
		{"/a/%2a", "/a/x", false},
		{"/a/%2a", "/a/*", true},
		{"/a", "/a/", false},
		{"", "", true},
	} {
		if got := globMatch(c.glob, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.glob, c.s, got)
		}
	}
}

// The token an edge mints for a fill verifies for its path, and only for
// its path.
func TestAppendURLToken(t *testing.T) {
	k := key(t, testTokenKey)
	tok := string(AppendURLToken(nil, k, picPath, tokenNow+5))
	r := &TokenRequest{Path: picPath, Now: tokenNow}
	if got := VerifyToken(k, tok, r); got != TokenOK {
		t.Fatalf("%s: %s", tok, got.Message())
	}
	r.Path += "x"
	if got := VerifyToken(k, tok, r); got != TokenBadHMAC {
		t.Fatalf("other path: %s", got.Message())
	}
}

// Verifying a token allocates nothing.
func TestVerifyTokenAllocatesNothing(t *testing.T) {
	k := key(t, testTokenKey)
	r := &TokenRequest{Path: picPath, Cloud: "demo", IP: clientIP, Now: tokenNow}
	tok := string(AppendURLToken(nil, k, picPath, tokenNow+5))
	acl := goToken(t, config.AuthToken{ACL: "/image/*!*/pic.jpg", IP: "203.0.113.7", Expiration: tokenNow + 1}, "")
	for _, tk := range []string{tok, acl} {
		if n := testing.AllocsPerRun(100, func() {
			if VerifyToken(k, tk, r) != TokenOK {
				t.Fatal("not ok")
			}
		}); n != 0 {
			t.Errorf("%s: %v allocs", tk, n)
		}
	}
}

// At the bounds VerifyToken documents (signed fields of 1 KiB, a path of
// 1 KiB), it allocates nothing whatever the characters: a url token (with
// ip and st) for a path of nothing but slashes, each signed as "%2f", and
// an acl token whose signed fields are 1 KiB.
func TestVerifyTokenAllocatesNothingAtItsBounds(t *testing.T) {
	k := key(t, testTokenKey)
	slashes := strings.Repeat("/", maxStackPath)
	url := goToken(t, config.AuthToken{IP: "203.0.113.7", StartTime: tokenNow - 1, Expiration: tokenNow + 1}, slashes)
	aclToken := func(pad int) string { // a token whose acl's second glob has pad more x
		return goToken(t, config.AuthToken{ACL: "/demo/image/*!/x" + strings.Repeat("x", pad) + "*", IP: "203.0.113.7",
			Expiration: tokenNow + 1}, "")
	}
	signed, _, _ := strings.Cut(aclToken(0), "~hmac=")
	long := aclToken(maxStackToken - len(signed))
	if signed, _, _ := strings.Cut(long, "~hmac="); len(signed) != maxStackToken {
		t.Fatalf("the acl token's signed fields are %d bytes, want %d", len(signed), maxStackToken)
	}
	for _, c := range []struct {
		name, token, path string
	}{
		{"url token, a path of slashes", url, slashes},
		{"acl token, 1 KiB signed", long, picPath},
	} {
		r := &TokenRequest{Path: c.path, Cloud: "demo", IP: clientIP, Now: tokenNow}
		if got := VerifyToken(k, c.token, r); got != TokenOK {
			t.Fatalf("%s: %s", c.name, got.Message())
		}
		if n := testing.AllocsPerRun(100, func() { VerifyToken(k, c.token, r) }); n != 0 {
			t.Errorf("%s: %v allocs", c.name, n)
		}
	}
}

func TestTokenFromQuery(t *testing.T) {
	for q, want := range map[string]string{
		"":                                 "",
		"__cld_token__=exp=1~hmac=ab":      "exp=1~hmac=ab",
		"_a=x&__cld_token__=a%2f*&b=c":     "a%2f*",
		"x__cld_token__=1&__cld_token_=2":  "",
		"__cld_token__=exp=1~hmac=ab&_a=3": "exp=1~hmac=ab",
	} {
		if got := TokenFromQuery(q); got != want {
			t.Errorf("TokenFromQuery(%q) = %q", q, got)
		}
	}
}

// FuzzVerifyToken: any token and path are answered without a panic, a
// token minted for a path verifies for it, and changing one byte of it
// (or of the path) never leaves it valid for that path.
func FuzzVerifyToken(f *testing.F) {
	f.Add("exp=1~hmac=00", picPath, 3, byte('x'))
	f.Add("st=1~exp=2~acl=%2f*!*~ip=1.2.3.4~hmac=zz", "/a/b", 0, byte('1'))
	f.Add("~~~hmac=", "", 7, byte('~'))
	k := key(f, testTokenKey)
	f.Fuzz(func(t *testing.T, token, path string, at int, b byte) {
		r := &TokenRequest{Path: path, Cloud: "demo", IP: clientIP, Now: tokenNow}
		VerifyToken(k, token, r)
		minted := AppendURLToken(nil, k, path, tokenNow+1)
		if got := VerifyToken(k, string(minted), r); got != TokenOK {
			t.Fatalf("minted %q for %q: %s", minted, path, got.Message())
		}
		if at < 0 {
			at = -at
		}
		i := at % len(minted)
		if minted[i] == b {
			return
		}
		minted[i] = b
		if got := VerifyToken(k, string(minted), r); got == TokenOK {
			t.Fatalf("changed %q verifies for %q", minted, path)
		}
	})
}
