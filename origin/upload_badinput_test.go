package origin_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"

	"github.com/mediacdn/mediacdn/delivery"
)

// form builds a multipart body: fields in order, then a file part.
func form(t testing.TB, fields [][2]string, fileName string, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", fileName)
		fw.Write(file)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

// signed adds api_key, timestamp and signature as the SDKs compute them.
func signed(fields [][2]string, ts int64, secret string) [][2]string {
	params := url.Values{}
	for _, f := range fields {
		params.Add(f[0], f[1])
	}
	params.Set("timestamp", strconv.FormatInt(ts, 10))
	keys := make([]string, 0)
	for k := range params {
		keys = append(keys, k)
	}
	sortStrings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strings.ReplaceAll(strings.Join(params[k], ","), "&", "%26"))
	}
	sum := sha1.Sum([]byte(strings.Join(parts, "&") + secret))
	out := append([][2]string{}, fields...)
	return append(out, [2]string{"timestamp", strconv.FormatInt(ts, 10)},
		[2]string{"signature", hex.EncodeToString(sum[:])}, [2]string{"api_key", apiKey})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func errorMessage(t testing.TB, body string) string {
	t.Helper()
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an error JSON: %q", body)
	}
	return e.Error.Message
}

// assertNothingStored checks that a failed request left no blob and no row.
func assertNothingStored(t *testing.T, o *testOrigin, publicIDs ...string) {
	t.Helper()
	if n := countBlobs(t, o); n != 0 {
		t.Errorf("%d blobs stored", n)
	}
	for _, id := range publicIDs {
		for _, rt := range []delivery.ResourceType{delivery.Image, delivery.Video, delivery.Raw} {
			if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: rt, Type: delivery.Upload, PublicID: id}); err == nil {
				t.Errorf("asset %s/%s stored", rt, id)
			}
		}
	}
}

func TestBadUploads(t *testing.T) {
	jpg := testkit.Read(t, "rocket.jpg")
	now := time.Now().Unix()
	huge := pngHeader(100_000, 100_000)
	cases := []struct {
		name   string
		path   string
		fields [][2]string
		file   []byte
		basic  bool
		status int
		msg    string
	}{
		{"missing file", "/image/upload", nil, nil, true, 400, "Missing required parameter - file"},
		{"zero bytes", "/image/upload", [][2]string{{"public_id", "z"}}, []byte{}, true, 400, "Empty file"},
		{"text as image", "/image/upload", [][2]string{{"public_id", "z"}}, []byte("hello, world, not an image"), true, 400, "Invalid image file"},
		{"truncated jpeg", "/image/upload", [][2]string{{"public_id", "z"}}, jpg[:300], true, 400, "Invalid image file"},
		{"decompression bomb", "/image/upload", [][2]string{{"public_id", "z"}}, huge, true, 400, "Image is too large - 100000x100000 is more than the limit of 50000000 pixels"},
		{"bad signature", "/image/upload", signed([][2]string{{"public_id", "z"}}, now, "wrong"), jpg, false, 401, "Invalid Signature"},
		{"stale", "/image/upload", signed([][2]string{{"public_id", "z"}}, now-7200, apiSecret), jpg, false, 400, "Stale request - reported time is " + time.Unix(now-7200, 0).UTC().Format("2006-01-02 15:04:05 -0700") + " which is more than 1 hour ago"},
		{"no api key", "/image/upload", [][2]string{{"public_id", "z"}}, jpg, false, 401, "Must supply api_key"},
		{"unknown api key", "/image/upload", [][2]string{{"api_key", "nope"}, {"timestamp", "1"}, {"signature", "x"}}, jpg, false, 401, "Unknown API key nope"},
		{"empty public id segment", "/image/upload", [][2]string{{"public_id", "a//b"}}, jpg, true, 400, "Invalid public_id a//b - empty, '.' and '..' path segments are not allowed"},
		{"dot dot", "/image/upload", [][2]string{{"public_id", "../etc/passwd"}}, jpg, true, 400, "'..' path segments"},
		{"leading slash", "/image/upload", [][2]string{{"public_id", "/abs"}}, jpg, true, 400, "must not start or end with /"},
		{"trailing slash", "/image/upload", [][2]string{{"public_id", "dir/"}}, jpg, true, 400, "must not start or end with /"},
		{"control char", "/image/upload", [][2]string{{"public_id", "a\x01b"}}, jpg, true, 400, "must not contain control characters"},
		{"too long", "/image/upload", [][2]string{{"public_id", strings.Repeat("x", 256)}}, jpg, true, 400, "Invalid public_id - longer than 255 characters"},
		{"version folder", "/image/upload", [][2]string{{"public_id", "v123/pic"}}, jpg, true, 400, "must not look like a version"},
		{"long tag", "/image/upload", [][2]string{{"public_id", "z"}, {"tags", strings.Repeat("t", 256)}}, jpg, true, 400, "is too long - a tag has at most 255 characters"},
		{"too many tags", "/image/upload", [][2]string{{"public_id", "z"}, {"tags", manyTags(1001)}}, jpg, true, 400, "Too many tags - an asset can have at most 1000 tags"},
		{"bad type", "/image/upload", [][2]string{{"public_id", "z"}, {"type", "fetch"}}, jpg, true, 400, "Invalid type - fetch"},
		{"bad boolean", "/image/upload", [][2]string{{"public_id", "z"}, {"overwrite", "maybe"}}, jpg, true, 400, "Invalid value maybe for parameter overwrite"},
		{"not allowed format", "/image/upload", [][2]string{{"public_id", "z"}, {"allowed_formats", "png,webp"}}, jpg, true, 400, "Image format jpg not allowed - allowed formats are png, webp"},
		{"bad eager", "/image/upload", [][2]string{{"public_id", "z"}, {"eager", "w_abc"}}, jpg, true, 400, "Invalid eager transformation w_abc - Invalid width in transformation: abc"},
		{"too many eager", "/image/upload", [][2]string{{"public_id", "z"}, {"eager", strings.Repeat("w_10|", 101)}}, jpg, true, 400, "Too many eager transformations - at most 100"},
		{"video that is not", "/video/upload", [][2]string{{"public_id", "z"}}, jpg, true, 400, "Invalid video file"},
		{"bad data uri", "/image/upload", [][2]string{{"public_id", "z"}, {"file", "data:image/png;base64,!!!"}}, nil, true, 400, "Invalid data URI - bad base64"},
		{"unsupported url", "/image/upload", [][2]string{{"public_id", "z"}, {"file", "ftp://example.com/a.jpg"}}, nil, true, 400, "Unsupported source URL - ftp://example.com/a.jpg"},
		{"ssrf loopback", "/image/upload", [][2]string{{"public_id", "z"}, {"file", "http://127.0.0.1:1/a.jpg"}}, nil, true, 400, "Error in loading http://127.0.0.1:1/a.jpg - address not allowed"},
		{"ssrf metadata", "/image/upload", [][2]string{{"public_id", "z"}, {"file", "http://169.254.169.254/latest/meta-data"}}, nil, true, 400, "address not allowed"},
		{"unknown cloud", "/../nope/image/upload", [][2]string{{"public_id", "z"}}, jpg, true, 401, "Invalid cloud_name nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := startOrigin(t, func(cfg *origin.Config) { cfg.MaxUploadSize = 1 << 20 })
			ct, body := form(t, c.fields, "upload.bin", c.file)
			path := "/v1_1/demo" + c.path
			if strings.HasPrefix(c.path, "/../") {
				path = "/v1_1/" + strings.TrimPrefix(c.path, "/../")
			}
			status, resp := post(t, o.URL+path, ct, body, c.basic)
			if status != c.status || !strings.Contains(errorMessage(t, resp), c.msg) {
				t.Fatalf("got %d %s, want %d %q", status, resp, c.status, c.msg)
			}
			assertNothingStored(t, o, "z", "a//b", "v123/pic")
			if len(o.Events.all()) != 0 {
				t.Fatalf("events emitted: %v", o.Events.all())
			}
		})
	}
}

func TestUploadTooLarge(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.MaxUploadSize = 100 << 10 })
	big := testkit.Read(t, "LadyBird.jpg")
	ct, body := form(t, [][2]string{{"public_id", "big"}}, "big.jpg", big)
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	want := fmt.Sprintf("File size too large. Got %d. Maximum is %d.", len(big), 100<<10)
	if status != 400 || errorMessage(t, resp) != want {
		t.Fatalf("got %d %s, want %q", status, resp, want)
	}
	assertNothingStored(t, o, "big")
	// The server keeps serving.
	ct, body = form(t, [][2]string{{"public_id", "small"}}, "s.png", testkit.Read(t, "chelsea.png")[:0])
	if status, _ := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true); status != 400 {
		t.Fatalf("next request: %d", status)
	}
}

func TestSignedUploadAsSDKsSignIt(t *testing.T) {
	o := startOrigin(t, nil)
	jpg := testkit.Read(t, "rocket.jpg")
	fields := signed([][2]string{{"public_id", "signed"}, {"tags", "a&b,c"}, {"eager", "c_fill,w_100|w_50/png"}}, time.Now().Unix(), apiSecret)
	ct, body := form(t, fields, "r.jpg", jpg)
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, false)
	if status != 200 || !strings.Contains(resp, `"public_id":"signed"`) {
		t.Fatalf("signed upload: %d %s", status, resp)
	}
	// The 401 names the string to sign, as Cloudinary does.
	fields = signed([][2]string{{"public_id", "signed2"}}, time.Now().Unix(), "bad")
	ct, body = form(t, fields, "r.jpg", jpg)
	status, resp = post(t, o.URL+"/v1_1/demo/image/upload", ct, body, false)
	ts := fields[1][1]
	want := "String to sign - 'public_id=signed2&timestamp=" + ts + "'."
	if status != 401 || !strings.HasSuffix(errorMessage(t, resp), want) {
		t.Fatalf("bad signature: %d %s, want suffix %q", status, resp, want)
	}
}

func TestDataURIAndRemoteURL(t *testing.T) {
	png := testkit.Read(t, "chelsea.png")
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cat.png":
			w.Write(png)
		case "/redirect":
			http.Redirect(w, r, "/cat.png", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer remote.Close()
	o := startOrigin(t, func(cfg *origin.Config) { cfg.Fetch.AllowNetworks = []string{"127.0.0.0/8"} })
	uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	for _, c := range []struct{ file, id string }{{uri, "from-data-uri"}, {remote.URL + "/cat.png", "from-url"}, {remote.URL + "/redirect", "from-redirect"}} {
		body := url.Values{"file": {c.file}, "public_id": {c.id}}.Encode()
		status, resp := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", strings.NewReader(body), true)
		if status != 200 || !strings.Contains(resp, `"width":451`) || !strings.Contains(resp, `"etag":"`+md5hex(png)+`"`) {
			t.Fatalf("%s: %d %s", c.id, status, resp)
		}
	}
	body := url.Values{"file": {remote.URL + "/missing.png"}, "public_id": {"x"}}.Encode()
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", strings.NewReader(body), true)
	if status != 400 || errorMessage(t, resp) != "Error in loading "+remote.URL+"/missing.png - 404 Not Found" {
		t.Fatalf("missing remote: %d %s", status, resp)
	}
	// JSON bodies work too.
	js, _ := json.Marshal(map[string]any{"file": uri, "public_id": "from-json", "tags": []string{"j1", "j2"}})
	status, resp = post(t, o.URL+"/v1_1/demo/image/upload", "application/json", bytes.NewReader(js), true)
	if status != 200 || !strings.Contains(resp, `"tags":["j1","j2"]`) {
		t.Fatalf("json upload: %d %s", status, resp)
	}
}

func TestDeleteByToken(t *testing.T) {
	clock := time.Now()
	o := startOriginClock(t, nil, func() time.Time { return clock })
	upload := func(id string) string {
		ct, body := form(t, [][2]string{{"public_id", id}, {"return_delete_token", "1"}}, "c.png", testkit.Read(t, "chelsea.png"))
		status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
		var r struct {
			DeleteToken string `json:"delete_token"`
		}
		json.Unmarshal([]byte(resp), &r)
		if status != 200 || len(r.DeleteToken) != 40 {
			t.Fatalf("upload: %d %s", status, resp)
		}
		return r.DeleteToken
	}
	tok := upload("mine")
	del := func(token string) (int, string) {
		return post(t, o.URL+"/v1_1/demo/delete_by_token", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"token": {token}}.Encode()), false)
	}
	if status, resp := del(tok); status != 200 || resp != `{"result":"ok"}` {
		t.Fatalf("delete by token: %d %s", status, resp)
	}
	if status, resp := del(tok); status != 401 || errorMessage(t, resp) != "Stale or invalid delete token" {
		t.Fatalf("reused token: %d %s", status, resp)
	}
	tok = upload("expires")
	clock = clock.Add(10*time.Minute + time.Second)
	if status, _ := del(tok); status != 401 {
		t.Fatalf("expired token accepted: %d", status)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "expires"}); err != nil {
		t.Fatalf("asset deleted by an expired token: %v", err)
	}
}

func TestContextEscaping(t *testing.T) {
	o := startOrigin(t, nil)
	ct, body := form(t, [][2]string{{"public_id", "c"}, {"context", `caption=a\=b\|c|alt=x`}}, "c.png", testkit.Read(t, "chelsea.png"))
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
	if status != 200 || !strings.Contains(resp, `"context":{"custom":{"alt":"x","caption":"a=b|c"}}`) {
		t.Fatalf("%d %s", status, resp)
	}
}

// pngHeader is a PNG that declares w × h pixels: the signature, a valid
// IHDR chunk and an empty IDAT, with nothing to decode.
func pngHeader(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(out, typ...)
		out = append(out, data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", nil)...)
	return append(out, chunk("IEND", nil)...)
}

func manyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	return strings.Join(tags, ",")
}
