package origin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/cloudinary/cloudinary-go/v2/config"
	cfg "github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

const tokenKey = "0f1e2d3c4b5a6978"

// startTokenOrigin is an origin whose demo cloud has an auth_token_key.
func startTokenOrigin(t *testing.T) *testOrigin {
	return startOriginWith(t, nil, nil, cfg.Cloud{APIKey: apiKey, APISecret: apiSecret, AuthTokenKey: tokenKey})
}

// sdkTokenURL is the path and query of the Go SDK's URL for an image with
// an auth token (Config.AuthToken, SignURL): the token replaces the
// signature.
func sdkTokenURL(t *testing.T, o *testOrigin, publicID string, typ api.DeliveryType, tok config.AuthToken) string {
	t.Helper()
	img, err := o.Cld.Image(publicID)
	if err != nil {
		t.Fatal(err)
	}
	img.DeliveryType = typ
	img.Config.URL.SignURL = true
	tok.Key = tokenKey
	img.AuthToken.Config = &tok
	s, err := img.String()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u.Path, "/s--") || !strings.Contains(u.RawQuery, delivery.TokenName) {
		t.Fatalf("the SDK did not put a token in %s", s)
	}
	return u.EscapedPath() + "?" + u.RawQuery
}

// Asked directly, the origin delivers authenticated assets (type
// authenticated, or access mode authenticated) to a valid token as to a
// signed URL, marks the answer for edges (X-Cld-Access), and refuses
// expired, tampered, wrong-ACL and wrong-IP tokens with 401 naming why.
// The client address is the peer's (127.0.0.1 here).
func TestOriginVerifiesTokens(t *testing.T) {
	o := startTokenOrigin(t)
	uploadAs(t, o, "rocket.jpg", "locked", "type", "authenticated")
	if status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "guarded"},
		[2]string{"access_mode", "authenticated"}); status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	now := time.Now().Unix()
	good := sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{Duration: 60})
	path, query, _ := strings.Cut(good, "?")
	for _, c := range []struct {
		name, uri, cookie string
		status            int
		reason            string
	}{
		{"url token", good, "", 200, ""},
		{"acl token", sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "/image/authenticated/*",
			Expiration: now + 60}), "", 200, ""},
		{"ip", sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "*", IP: "127.0.0.1",
			Expiration: now + 60}), "", 200, ""},
		{"cookie", path, query, 200, ""},
		{"access mode authenticated", sdkTokenURL(t, o, "guarded", api.Upload, config.AuthToken{Duration: 60}), "", 200, ""},
		{"no token", path, "", 401, "Missing URL signature - authenticated assets need a signed URL"},
		{"no token, access mode", "/demo/image/upload/guarded.jpg", "", 401,
			"Missing URL signature - assets whose access mode is authenticated need a signed URL"},
		{"expired", sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "*", Expiration: now - 5}), "",
			401, "Invalid token - expired"},
		{"tampered", strings.Replace(good, "exp=", "exp=9", 1), "", 401, "Invalid token - bad hmac"},
		{"wrong acl", sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "/video/*",
			Expiration: now + 60}), "", 401, "Invalid token - the acl does not cover this URL"},
		{"wrong ip", sdkTokenURL(t, o, "locked", api.Authenticated, config.AuthToken{ACL: "*", IP: "10.1.2.3",
			Expiration: now + 60}), "", 401, "Invalid token - wrong ip"},
		{"other asset", strings.Replace(good, "locked", "guarded", 1), "", 401, "Invalid token - bad hmac"},
	} {
		var h []string
		if c.cookie != "" {
			h = []string{"Cookie", c.cookie}
		}
		r := testkit.Get(t, o.URL+c.uri, h...)
		if r.Status != c.status || r.Header.Get("X-Cld-Error") != c.reason {
			t.Errorf("%s: %s: %d %q, want %d %q", c.name, c.uri, r.Status, r.Header.Get("X-Cld-Error"), c.status, c.reason)
		}
		if c.status == 200 && r.Header.Get(delivery.HeaderAccess) != "token" {
			t.Errorf("%s: %s = %q", c.name, delivery.HeaderAccess, r.Header.Get(delivery.HeaderAccess))
		}
	}
	// A signed URL needs no token, and its answer no mark.
	r := testkit.Get(t, o.URL+sdkSigned(t, o, "guarded", ""))
	if r.Status != 200 || r.Header.Get(delivery.HeaderAccess) != "" {
		t.Errorf("signed: %d %q", r.Status, r.Header.Get(delivery.HeaderAccess))
	}
}

// access_control on upload (the Go SDK's AccessControl), explicit and the
// Admin API's update is stored, returned in details, and enforced: inside
// an anonymous window anyone gets the asset (the answer names the windows
// for edges), outside only a token or a signed URL; each change purges
// the asset's URLs.
func TestAccessControl(t *testing.T) {
	o := startTokenOrigin(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	start, end := now.Add(-time.Hour), now.Add(time.Hour)
	res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "paywall",
		AccessControl: api.AccessControl{{AccessType: api.Anonymous, Start: &start, End: &end}, {AccessType: api.Token}}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if len(res.AccessControl) != 2 || res.AccessControl[0].Start == nil || !res.AccessControl[0].Start.Equal(start) ||
		!res.AccessControl[0].End.Equal(end) || res.AccessControl[1].AccessType != api.Token {
		t.Fatalf("upload answer: %+v", res.AccessControl)
	}
	details, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "paywall"})
	if err != nil || details.Error.Message != "" || len(details.AccessControl) != 2 ||
		!details.AccessControl[0].End.Equal(end) {
		t.Fatalf("details: %v %+v", err, details)
	}
	plain := "/demo/image/upload/paywall.jpg"
	want := "token anonymous=" + strconv.FormatInt(start.Unix(), 10) + "-" + strconv.FormatInt(end.Unix(), 10)
	if r := testkit.Get(t, o.URL+plain); r.Status != 200 || r.Header.Get(delivery.HeaderAccess) != want {
		t.Fatalf("inside the window: %d %q", r.Status, r.Header.Get(delivery.HeaderAccess))
	}

	// The window is over: a token or a signature only. Its end is written
	// as the Node SDK's own spec writes one ("2019-03-22 00:00 +0200"),
	// which Cloudinary takes: 2020-02-01T00:00Z.
	past := `[{"access_type":"anonymous","start":"2020-01-01T00:00Z","end":"2020-02-01 02:00 +0200"},{"access_type":"token"}]`
	upd := adminDo(t, o, http.MethodPost, "resources/image/upload/paywall", "application/x-www-form-urlencoded",
		"access_control="+url.QueryEscape(past))
	if upd.status != 200 || !lastEvent(t, o, "paywall").Restricted {
		t.Fatalf("update: %d %s", upd.status, upd.raw)
	}
	if r := testkit.Get(t, o.URL+plain); r.Status != 401 ||
		r.Header.Get("X-Cld-Error") != "Missing token - the asset's access_control allows no anonymous access now" {
		t.Fatalf("after the window: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	tok := sdkTokenURL(t, o, "paywall", api.Upload, config.AuthToken{ACL: "*", Duration: 60})
	if r := testkit.Get(t, o.URL+tok); r.Status != 200 ||
		r.Header.Get(delivery.HeaderAccess) != "token anonymous=1577836800-1580515200" {
		t.Fatalf("with a token: %d %q", r.Status, r.Header.Get(delivery.HeaderAccess))
	}
	if r := testkit.Get(t, o.URL+sdkSigned(t, o, "paywall", "")); r.Status != 200 {
		t.Fatalf("signed: %d", r.Status)
	}

	// Explicit opens it for good (one open window); an empty list clears it.
	status, ex := uploadForm(t, o, "explicit", "", [2]string{"public_id", "paywall"}, [2]string{"type", "upload"},
		[2]string{"access_control", `{"access_type":"anonymous"}`})
	if status != 200 || !lastEvent(t, o, "paywall").Restricted {
		t.Fatalf("explicit: %d %v", status, ex)
	}
	if r := testkit.Get(t, o.URL+plain); r.Status != 200 || r.Header.Get(delivery.HeaderAccess) != "token anonymous=-" {
		t.Fatalf("open window: %d %q", r.Status, r.Header.Get(delivery.HeaderAccess))
	}
	upd = adminDo(t, o, http.MethodPost, "resources/image/upload/paywall", "application/json", `{"access_control":"[]"}`)
	if upd.status != 200 || upd.body["access_control"] != nil {
		t.Fatalf("clear: %d %s", upd.status, upd.raw)
	}
	if r := testkit.Get(t, o.URL+plain); r.Status != 200 || r.Header.Get(delivery.HeaderAccess) != "" {
		t.Fatalf("cleared: %d %q", r.Status, r.Header.Get(delivery.HeaderAccess))
	}

	for _, bad := range []struct{ value, msg string }{
		{`[{"access_type":"everyone"}]`, "Invalid access_control - access_type must be token or anonymous, not everyone"},
		{`[{"access_type":"anonymous","start":"tomorrow"}]`, "Invalid access_control - tomorrow is not an ISO 8601 time"},
		{`[{"access_type":"anonymous","start":"2021-01-02","end":"2021-01-01"}]`,
			"Invalid access_control - end must be after start"},
		{`[{"access_type":"token","end":"2021-01-01"}]`, "Invalid access_control - a token entry has no start or end"},
		{`not json`, "Invalid access_control - not json"},
	} {
		a := adminDo(t, o, http.MethodPost, "resources/image/upload/paywall", "application/x-www-form-urlencoded",
			"access_control="+url.QueryEscape(bad.value))
		if a.status != 400 || a.errorMessage() != bad.msg {
			t.Errorf("%s: %d %s", bad.value, a.status, a.raw)
		}
	}
}

// A deleted asset comes back from its backup with the access_control it
// had: still for token holders only.
func TestRestoreKeepsAccessControl(t *testing.T) {
	o := startOriginClouds(t, t.TempDir(), cfg.Cloud{APIKey: apiKey, APISecret: apiSecret, Backup: true,
		AuthTokenKey: tokenKey})
	if status, up := uploadForm(t, o, "upload", "rocket.jpg", [2]string{"public_id", "members"},
		[2]string{"access_control", `[{"access_type":"token"}]`}); status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/members.jpg"); r.Status != 401 {
		t.Fatalf("before: %d", r.Status)
	}
	if a := adminDo(t, o, http.MethodDelete, "resources/image/upload?public_ids[]=members", "", ""); a.status != 200 {
		t.Fatalf("delete: %d %s", a.status, a.raw)
	}
	a := adminDo(t, o, http.MethodPost, "resources/image/upload/restore", "application/x-www-form-urlencoded",
		"public_ids[]=members")
	if a.status != 200 || !strings.Contains(a.raw, `"access_control":[{"access_type":"token"}]`) {
		t.Fatalf("restore: %d %s", a.status, a.raw)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/members.jpg"); r.Status != 401 {
		t.Fatalf("restored, unsigned: %d", r.Status)
	}
	tok := sdkTokenURL(t, o, "members", api.Upload, config.AuthToken{ACL: "*", Duration: 60})
	if r := testkit.Get(t, o.URL+tok); r.Status != 200 {
		t.Fatalf("restored, with a token: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
}

// An asset whose access_control limits it cannot be pulled into a public
// image as a layer: only a signed URL may use it.
func TestAccessControlledLayerNeedsSignature(t *testing.T) {
	o := startTokenOrigin(t)
	uploadAs(t, o, "rocket.jpg", "base")
	if status, up := uploadForm(t, o, "upload", "chelsea.png", [2]string{"public_id", "secret"},
		[2]string{"access_control", `[{"access_type":"token"}]`}); status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	r := testkit.Get(t, o.URL+"/demo/image/upload/l_secret,w_20/base.jpg")
	if r.Status != 401 || r.Header.Get("X-Cld-Error") != "Missing URL signature - layers whose access_control limits them need a signed URL" {
		t.Fatalf("unsigned: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
	if r := testkit.Get(t, o.URL+sdkSigned(t, o, "base", "l_secret,w_20")); r.Status != 200 {
		t.Fatalf("signed: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
}
