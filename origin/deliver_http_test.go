package origin_test

import (
	"mime"
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// fl_attachment names the download after the flag's name (or the public
// ID) with the delivered format's extension; names that are not plain
// ASCII get an ASCII stand-in and the exact name in filename* (RFC 6266).
func TestAttachmentFileName(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "folder/rocket")
	for _, c := range []struct {
		path, accept string
		header       string // the exact Content-Disposition
		name         string // the file name a client reads from it
	}{
		{"fl_attachment/folder/rocket.jpg", "", `attachment; filename="rocket.jpg"`, "rocket.jpg"},
		{"fl_attachment,w_40/folder/rocket.png", "", `attachment; filename="rocket.png"`, "rocket.png"},
		{"fl_attachment:my-pic,w_40/folder/rocket.jpg", "", `attachment; filename="my-pic.jpg"`, "my-pic.jpg"},
		{"f_webp,fl_attachment:my-pic/folder/rocket.jpg", "", `attachment; filename="my-pic.webp"`, "my-pic.webp"},
		{"f_auto,fl_attachment:auto/folder/rocket", "image/avif,*/*", `attachment; filename="auto.avif"`, "auto.avif"},
		{"fl_attachment:my%20pic/folder/rocket.jpg", "", `attachment; filename="my pic.jpg"`, "my pic.jpg"},
		{"fl_attachment:v1%252E2/folder/rocket.jpg", "", `attachment; filename="v1.2.jpg"`, "v1.2.jpg"},
		{"fl_attachment:caf%C3%A9/folder/rocket.jpg", "",
			`attachment; filename="caf_.jpg"; filename*=UTF-8''caf%C3%A9.jpg`, "café.jpg"},
		{"fl_attachment:say%22hi%22/folder/rocket.jpg", "",
			`attachment; filename="say_hi_.jpg"; filename*=UTF-8''say%22hi%22.jpg`, `say"hi".jpg`},
		{"fl_attachment:a%5Cb%2Fc/folder/rocket.jpg", "", `attachment; filename="a_b_c.jpg"`, "a_b_c.jpg"},
		{"fl_attachment:100%25/folder/rocket.jpg", "",
			`attachment; filename="100_.jpg"; filename*=UTF-8''100%25.jpg`, "100%.jpg"},
	} {
		r := testkit.Get(t, o.URL+"/demo/image/upload/"+c.path, "Accept", c.accept)
		got := r.Header.Get("Content-Disposition")
		if r.Status != 200 || got != c.header {
			t.Errorf("%s: %d %q, want %q (%s)", c.path, r.Status, got, c.header, r.Header.Get("X-Cld-Error"))
			continue
		}
		disp, params, err := mime.ParseMediaType(got)
		if err != nil || disp != "attachment" || params["filename"] != c.name {
			t.Errorf("%s: a client reads %q %q (%v), want %q", c.path, disp, params["filename"], err, c.name)
		}
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_40/folder/rocket.jpg"); r.Header.Get("Content-Disposition") != "" {
		t.Errorf("Content-Disposition without fl_attachment: %q", r.Header.Get("Content-Disposition"))
	}
}

// OPTIONS on a delivery URL: a CORS preflight gets 204 with the methods,
// the requested headers and a max age; a plain OPTIONS 204 with Allow;
// other methods 405 naming the allowed ones.
func TestDeliveryPreflight(t *testing.T) {
	o := startOrigin(t, nil)
	url := o.URL + "/demo/image/upload/w_100/nothere.jpg" // answered without looking
	r := testkit.Do(t, http.MethodOptions, url, "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "x-requested-with, range")
	want := map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
		"Access-Control-Allow-Headers": "x-requested-with, range", "Access-Control-Max-Age": "86400",
		"Allow": "GET, HEAD, OPTIONS"}
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("preflight: %d %q", r.Status, r.Body)
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	r = testkit.Do(t, http.MethodOptions, url, "Origin", "https://app.example", "Access-Control-Request-Method", "GET",
		"Access-Control-Request-Headers", "bad header")
	if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("preflight with a malformed header list: %d %v", r.Status, r.Header)
	}
	r = testkit.Do(t, http.MethodOptions, url)
	if r.Status != http.StatusNoContent || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" ||
		r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("plain OPTIONS: %d %v", r.Status, r.Header)
	}
	r = testkit.Do(t, http.MethodDelete, url)
	if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("DELETE: %d %v", r.Status, r.Header)
	}
}

// dpr_auto reads the DPR client hint and says so in Vary; f_auto adds
// Accept.
func TestClientHintVary(t *testing.T) {
	o := startOrigin(t, nil)
	uploadAs(t, o, "rocket.jpg", "rocket")
	for _, c := range []struct {
		path    string
		headers []string
		vary    string
		width   int
	}{
		{"/demo/image/upload/dpr_auto,w_100/rocket.jpg", nil, "Sec-CH-DPR, DPR", 100},
		{"/demo/image/upload/dpr_auto,w_100/rocket.jpg", []string{"Sec-CH-DPR", "2"}, "Sec-CH-DPR, DPR", 200},
		{"/demo/image/upload/dpr_auto,w_100/rocket.jpg", []string{"DPR", "3"}, "Sec-CH-DPR, DPR", 300},
		{"/demo/image/upload/dpr_auto,f_auto,w_100/rocket", []string{"Sec-CH-DPR", "2", "Accept", "image/webp"},
			"Accept, Sec-CH-DPR, DPR", 200},
		{"/demo/image/upload/dpr_2.0,w_100/rocket.jpg", []string{"Sec-CH-DPR", "3"}, "", 200},
	} {
		r := testkit.Get(t, o.URL+c.path, c.headers...)
		if r.Status != 200 || r.Header.Get("Vary") != c.vary {
			t.Errorf("%s %v: %d Vary %q, want %q (%s)", c.path, c.headers, r.Status, r.Header.Get("Vary"), c.vary,
				r.Header.Get("X-Cld-Error"))
			continue
		}
		if info := probe(t, r.Body); info.Width != c.width {
			t.Errorf("%s %v: width %d, want %d", c.path, c.headers, info.Width, c.width)
		}
	}
}

// On a private-CDN host the path may name the cloud too (an SDK with cname
// but not private_cdn): both forms serve the same object.
func TestPrivateCDNHostAcceptsCloudPath(t *testing.T) {
	o := startOriginClouds(t, t.TempDir(), config.Cloud{APIKey: apiKey, APISecret: apiSecret, Hosts: []string{"img.test:8443"}})
	uploadAs(t, o, "rocket.jpg", "pic")
	hostForm := testkit.Do(t, http.MethodGet, o.URL+"/image/upload/w_50/pic.jpg", "Host", "img.test")
	cloudPath := testkit.Do(t, http.MethodGet, o.URL+"/demo/image/upload/w_50/pic.jpg", "Host", "IMG.test:8080")
	plain := testkit.Get(t, o.URL+"/demo/image/upload/w_50/pic.jpg")
	if hostForm.Status != 200 || cloudPath.Status != 200 || plain.Status != 200 ||
		hostForm.Header.Get("ETag") != cloudPath.Header.Get("ETag") || plain.Header.Get("ETag") != cloudPath.Header.Get("ETag") {
		t.Fatalf("host form %d %q, cloud path %d %q (%s), path form %d %q", hostForm.Status, hostForm.Header.Get("ETag"),
			cloudPath.Status, cloudPath.Header.Get("ETag"), cloudPath.Header.Get("X-Cld-Error"), plain.Status, plain.Header.Get("ETag"))
	}
	// A root-form path keeps its host-form meaning: /demo/pic.jpg on the
	// host is the public ID demo/pic.
	if r := testkit.Do(t, http.MethodGet, o.URL+"/demo/pic.jpg", "Host", "img.test"); r.Status != 404 || r.Header.Get("X-Cld-Error") != "Resource not found - demo/pic" {
		t.Errorf("root form on the host: %d %q", r.Status, r.Header.Get("X-Cld-Error"))
	}
}

// fl_attachment on a fetch URL: the default name is the remote file's,
// without its extension, plus the delivered format's.
func TestFetchAttachmentFileName(t *testing.T) {
	rs := startRemote(t, map[string][]byte{"/pics/rocket.jpeg": testkit.Read(t, "rocket.jpg")})
	o := startFetchOrigin(t, nil, "127.0.0.1")
	for _, c := range []struct{ path, want string }{
		{"/demo/image/fetch/fl_attachment/" + rs.URL + "/pics/rocket.jpeg", `attachment; filename="rocket.jpg"`},
		{"/demo/image/fetch/f_png,fl_attachment/" + rs.URL + "/pics/rocket.jpeg", `attachment; filename="rocket.png"`},
		{"/demo/image/fetch/fl_attachment:mine/" + rs.URL + "/pics/rocket.jpeg", `attachment; filename="mine.jpg"`},
	} {
		r := testkit.Get(t, o.URL+c.path)
		if r.Status != 200 || r.Header.Get("Content-Disposition") != c.want {
			t.Errorf("%s: %d %q, want %q (%s)", c.path, r.Status, r.Header.Get("Content-Disposition"), c.want, r.Header.Get("X-Cld-Error"))
		}
	}
}
