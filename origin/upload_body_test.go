package origin_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// stalledUpload starts an upload whose body is head and then nothing
// more, until the returned function closes it (with an error); the answer
// arrives on the channel.
func stalledUpload(t *testing.T, url, contentType string, head []byte, basic bool) (<-chan *http.Response, func()) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if basic {
		req.SetBasicAuth(apiKey, apiSecret)
	}
	go pw.Write(head)
	answer := make(chan *http.Response, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err != nil {
			answer <- &http.Response{StatusCode: -1, Status: err.Error(), Body: io.NopCloser(strings.NewReader(""))}
			return
		}
		answer <- resp
	}()
	stop := func() { pw.CloseWithError(errors.New("client gave up")) }
	t.Cleanup(stop)
	return answer, stop
}

// formHead is a multipart body's fields and the start of its file part
// (its headers and some bytes), without the rest.
func formHead(t *testing.T, fields [][2]string, file []byte) (contentType string, head []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, err := w.CreateFormFile("file", "big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	return w.FormDataContentType(), buf.Bytes()
}

// A signed upload whose credentials, sent before its file, do not check
// out is answered while the client is still sending the file: the server
// does not wait for it (it used to read the whole body first).
func TestBadSignatureAnsweredBeforeTheFile(t *testing.T) {
	o := startOrigin(t, nil)
	now := time.Now().Unix()
	jpg := testkit.Read(t, "rocket.jpg")
	for _, c := range []struct {
		name   string
		fields [][2]string
		status int
		msg    string
	}{
		{"bad signature", signed([][2]string{{"public_id", "z"}}, now, "wrong"), 401, "Invalid Signature"},
		{"unknown key", [][2]string{{"api_key", "nope"}, {"public_id", "z"}}, 401, "Unknown API key nope"},
		{"stale", signed([][2]string{{"public_id", "z"}}, now-7200, apiSecret), 400, "Stale request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct, head := formHead(t, c.fields, jpg[:1000])
			answer, _ := stalledUpload(t, o.URL+"/v1_1/demo/image/upload", ct, head, false)
			select {
			case resp := <-answer:
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status || !strings.Contains(string(b), c.msg) {
					t.Fatalf("got %d %s %s, want %d %q", resp.StatusCode, resp.Status, b, c.status, c.msg)
				}
				if !resp.Close {
					t.Error("the answer keeps the connection, whose body was not read")
				}
			case <-time.After(10 * time.Second): // generous: the answer comes in milliseconds
				t.Fatal("no answer while the file was still being sent")
			}
			assertNothingStored(t, o, "z")
		})
	}
}

// Credentials in headers are judged before the body is read: wrong Basic
// credentials, a bearer token, and a body declared larger than an upload
// may be are answered with nothing of the body sent.
func TestUploadRefusedBeforeTheBody(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.MaxUploadSize = 1 << 20 })
	addr := strings.TrimPrefix(o.URL, "http://")
	for _, c := range []struct {
		name, headers string
		length        int64
		status        int
		msg           string
	}{
		{"wrong basic", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(apiKey+":nope")) + "\r\n",
			50 << 20, 401, "Invalid API key or secret"},
		{"bearer", "Authorization: Bearer abc\r\n", 50 << 20, 401, "Invalid token"},
		{"too large", "", 50 << 20, 400, fmt.Sprintf("File size too large. Got %d. Maximum is %d.", 50<<20, 1<<20)},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST /v1_1/demo/image/upload HTTP/1.1\r\nHost: %s\r\n%sContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n",
				addr, c.headers, c.length)
			conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // generous: the answer comes at once
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || errorMessage(t, string(b)) != c.msg {
				t.Fatalf("got %d %s, want %d %q", resp.StatusCode, b, c.status, c.msg)
			}
		})
	}
}

// A file sent before the credentials (a client that orders its fields so)
// is read to disk, then judged: accepted when they check out, refused
// otherwise.
func TestFileBeforeCredentials(t *testing.T) {
	o := startOrigin(t, nil)
	png := testkit.Read(t, "chelsea.png")
	send := func(fields [][2]string) (int, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "c.png")
		fw.Write(png)
		for _, f := range fields {
			w.WriteField(f[0], f[1])
		}
		w.Close()
		return post(t, o.URL+"/v1_1/demo/image/upload", w.FormDataContentType(), &buf, false)
	}
	now := time.Now().Unix()
	if status, resp := send(signed([][2]string{{"public_id", "after"}}, now, apiSecret)); status != 200 || !strings.Contains(resp, `"public_id":"after"`) {
		t.Fatalf("signed fields after the file: %d %s", status, resp)
	}
	if status, resp := send([][2]string{{"public_id", "z"}}); status != 401 || errorMessage(t, resp) != "Must supply api_key" {
		t.Fatalf("no credentials: %d %s", status, resp)
	}
	if status, resp := send(signed([][2]string{{"public_id", "z"}}, now, "wrong")); status != 401 || !strings.Contains(resp, "Invalid Signature") {
		t.Fatalf("bad signature after the file: %d %s", status, resp)
	}
	// With the signature before the file, a signed field after it is not
	// covered by it: refused.
	fields := signed([][2]string{{"public_id", "z"}}, now, apiSecret)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	fw, _ := w.CreateFormFile("file", "c.png")
	fw.Write(png)
	w.WriteField("tags", "late")
	w.Close()
	if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", w.FormDataContentType(), &buf, false); status != 401 || !strings.Contains(resp, "Invalid Signature") {
		t.Fatalf("signed field after the file: %d %s", status, resp)
	}
	assertStoredOnly(t, o, "after")
}

// assertStoredOnly checks that the image assets are exactly ids.
func assertStoredOnly(t *testing.T, o *testOrigin, ids ...string) {
	t.Helper()
	if n := countBlobs(t, o); n != len(ids) {
		t.Errorf("%d blobs stored, want %d", n, len(ids))
	}
}

// Uploads in progress are bounded per client address, per cloud and over
// all: past a bound, 420 with Retry-After at once; a slot freed serves the
// next request.
func TestUploadsInProgressBounded(t *testing.T) {
	png := testkit.Read(t, "chelsea.png")
	for _, c := range []struct {
		name   string
		limits origin.Uploads
		msg    string
	}{
		{"per client", origin.Uploads{PerClient: 2}, "Rate Limit Exceeded. Limit of 2 Upload API requests in progress from one address reached. Try again later"},
		{"per cloud", origin.Uploads{PerCloud: 2, PerClient: -1}, "Rate Limit Exceeded. Limit of 2 Upload API requests in progress for this cloud reached. Try again later"},
		{"over all", origin.Uploads{MaxInFlight: 2, PerClient: -1}, "Rate Limit Exceeded. Limit of 2 Upload API requests in progress reached. Try again later"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := startOrigin(t, func(cfg *origin.Config) { cfg.Uploads = c.limits })
			ct, head := formHead(t, [][2]string{{"public_id", "slow"}}, png[:100])
			var stops []func()
			for range 2 {
				_, stop := stalledUpload(t, o.URL+"/v1_1/demo/image/upload", ct, head, true)
				stops = append(stops, stop)
			}
			testkit.CheckFor(t, testkit.Timeout, func() error {
				if n := o.Server.UploadsInProgress(); n != 2 {
					return fmt.Errorf("%d uploads in progress, want 2", n)
				}
				return nil
			})
			fct, body := form(t, [][2]string{{"public_id", "next"}}, "c.png", png)
			req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1_1/demo/image/upload", body)
			req.Header.Set("Content-Type", fct)
			req.SetBasicAuth(apiKey, apiSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 420 || resp.Header.Get("Retry-After") != "1" || errorMessage(t, string(b)) != c.msg {
				t.Fatalf("third upload: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
			}
			stops[0]()
			testkit.CheckFor(t, testkit.Timeout, func() error {
				fct, body := form(t, [][2]string{{"public_id", "next"}}, "c.png", png)
				if status, resp := post(t, o.URL+"/v1_1/demo/image/upload", fct, body, true); status != 200 {
					return fmt.Errorf("after a slot was freed: %d %s", status, resp)
				}
				return nil
			})
		})
	}
}

// openSpoolFiles lists the files of the origin's upload spool: those in
// the directory, and those this process still holds open (they are
// unlinked once created).
func openSpoolFiles(t *testing.T, o *testOrigin) []string {
	t.Helper()
	dir := filepath.Join(o.Dir, "uploads")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(target, dir+"/") {
			out = append(out, target)
		}
	}
	return out
}

// No path of an upload, accepted or refused, leaves a file of the spool
// behind, on disk or open.
func TestUploadLeavesNoTemporaryFile(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.MaxUploadSize = 1 << 20 })
	png := testkit.Read(t, "chelsea.png")
	now := time.Now().Unix()
	pngURI := "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	multipartCase := func(fields [][2]string, file []byte) func() (int, string) {
		return func() (int, string) {
			ct, body := form(t, fields, "c.png", file)
			return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true)
		}
	}
	formCase := func(file string, basic bool) func() (int, string) {
		return func() (int, string) {
			body := url.Values{"file": {file}, "public_id": {"f"}}.Encode()
			return post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", strings.NewReader(body), basic)
		}
	}
	for _, c := range []struct {
		name   string
		send   func() (int, string)
		status int
	}{
		{"stored", multipartCase([][2]string{{"public_id", "ok"}}, png), 200},
		{"incoming transformation and eager", multipartCase([][2]string{{"public_id", "tx"}, {"transformation", "w_50"},
			{"eager", "w_20"}, {"colors", "1"}}, png), 200},
		{"data URI", formCase(pngURI, true), 200},
		{"not an image", multipartCase([][2]string{{"public_id", "z"}}, []byte("not an image")), 400},
		{"too large", multipartCase([][2]string{{"public_id", "z"}}, bytes.Repeat(png, 8)), 400},
		{"bad transformation", multipartCase([][2]string{{"public_id", "z"}, {"transformation", "w_x"}}, png), 400},
		{"refused parameter", multipartCase([][2]string{{"public_id", "z"}, {"ocr", "adv_ocr"}}, png), 400},
		{"bad data URI", formCase("data:image/png;base64,!!!", true), 400},
		{"data URI too large", formCase("data:;base64,"+base64.StdEncoding.EncodeToString(bytes.Repeat(png, 8)), true), 400},
		{"unsigned", formCase(pngURI, false), 401},
		{"bad signature", func() (int, string) {
			ct, body := form(t, signed([][2]string{{"public_id", "z"}}, now, "wrong"), "c.png", png)
			return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, false)
		}, 401},
		{"chunk", func() (int, string) {
			ct, body := form(t, [][2]string{{"public_id", "z"}}, "c.png", png)
			return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true,
				"X-Unique-Upload-Id", "leak", "Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(png)-1, 10*len(png)))
		}, 400},
	} {
		if status, resp := c.send(); status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, status, resp, c.status)
		}
		if files := openSpoolFiles(t, o); len(files) != 0 {
			t.Errorf("%s: spool files left: %v", c.name, files)
		}
	}
	// A client that gives up in the middle of its file.
	ct, head := formHead(t, [][2]string{{"public_id", "z"}}, png[:1000])
	answer, stop := stalledUpload(t, o.URL+"/v1_1/demo/image/upload", ct, head, true)
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if files := openSpoolFiles(t, o); len(files) != 1 {
			return fmt.Errorf("spool files of the stalled upload: %v", files)
		}
		return nil
	})
	stop()
	<-answer
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if files := openSpoolFiles(t, o); len(files) != 0 {
			return fmt.Errorf("spool files left by an upload given up: %v", files)
		}
		return nil
	})
}

// The file of an urlencoded or JSON body, a data URI, is decoded as it
// streams: escapes of either encoding, white space and the URL-safe
// alphabet in the base64 are read as before.
func TestDataURIBodies(t *testing.T) {
	o := startOrigin(t, nil)
	png := testkit.Read(t, "chelsea.png")
	b64 := base64.StdEncoding.EncodeToString(png)
	urlSafe := base64.RawURLEncoding.EncodeToString(png)
	jsonEscaped := strings.ReplaceAll(b64, "/", `\/`)
	jsonEscaped = `d\u0061ta:image/png;base64,` + jsonEscaped[:40] + `\n` + jsonEscaped[40:]
	for _, c := range []struct {
		name, ct, body, want string
	}{
		{"urlencoded", "application/x-www-form-urlencoded", url.Values{"file": {"data:image/png;base64," + b64}, "public_id": {"a"}}.Encode(), `"public_id":"a"`},
		{"urlencoded, no content type", "", "public_id=b&file=" + url.QueryEscape("data:image/png;base64,"+b64[:60]+"\n"+b64[60:]), `"public_id":"b"`},
		{"url-safe alphabet", "application/x-www-form-urlencoded", "file=data:image/png;base64," + urlSafe + "&public_id=c", `"public_id":"c"`},
		{"json", "application/json", `{"public_id": "d", "tags": ["x", "y"], "context": {"k": "v"}, "file": "` + jsonEscaped + `"}`,
			`"tags":["x","y"],"pages":1`},
		{"json, no content type", "", ` {"file":"data:image/png;base64,` + b64 + `","public_id":"e"}`, `"public_id":"e"`},
	} {
		status, resp := post(t, o.URL+"/v1_1/demo/image/upload", c.ct, strings.NewReader(c.body), true)
		if status != 200 || !strings.Contains(resp, `"etag":"`+md5hex(png)+`"`) || !strings.Contains(resp, c.want) ||
			c.name == "json" && !strings.Contains(resp, `"context":{"custom":{"k":"v"}}`) {
			t.Errorf("%s: %d %s", c.name, status, resp)
		}
	}
	for _, c := range []struct{ name, ct, body, msg string }{
		{"mixed alphabets", "application/x-www-form-urlencoded", "file=data:;base64,ab%2B%2Fcd-_", "Invalid data URI - bad base64"},
		{"padding inside", "application/x-www-form-urlencoded", "file=data:;base64,QUJD%3DQUJD", "Invalid data URI - bad base64"},
		{"bad escaping", "application/x-www-form-urlencoded", "file=data:,ab%25zz", "Invalid data URI - bad escaping"},
		{"no comma", "application/x-www-form-urlencoded", "file=data:image/png;base64", "Invalid data URI - no comma"},
		{"bad form escape", "application/x-www-form-urlencoded", "file=data:,%zz", "Malformed request body"},
		{"unterminated json", "application/json", `{"file": "data:,abc`, "Malformed JSON body"},
		{"bad json escape", "application/json", `{"file": "data:,a\qb"}`, "Malformed JSON body"},
		{"json garbage", "application/json", `{"public_id": nope}`, "Malformed JSON body"},
	} {
		status, resp := post(t, o.URL+"/v1_1/demo/image/upload", c.ct, strings.NewReader(c.body), true)
		if status != 400 || errorMessage(t, resp) != c.msg {
			t.Errorf("%s: %d %s, want 400 %q", c.name, status, resp, c.msg)
		}
	}
}

// A client that stops sending its body is dropped after
// uploads.idle_timeout (408), and its slot is free again: stalled clients
// cannot hold the uploads in progress.
func TestStalledUploadDropped(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.Uploads.IdleTimeout = 200 * time.Millisecond })
	ct, head := formHead(t, [][2]string{{"public_id", "slow"}}, testkit.Read(t, "chelsea.png")[:100])
	answer, _ := stalledUpload(t, o.URL+"/v1_1/demo/image/upload", ct, head, true)
	select {
	case resp := <-answer:
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 408 || errorMessage(t, string(b)) != "Request Timeout - the request body stopped arriving" {
			t.Fatalf("got %d %s %s", resp.StatusCode, resp.Status, b)
		}
	case <-time.After(10 * time.Second): // generous: the bound is 200ms
		t.Fatal("a stalled upload was not dropped")
	}
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if n := o.Server.UploadsInProgress(); n != 0 {
			return fmt.Errorf("%d uploads in progress after the stalled one was dropped", n)
		}
		return nil
	})
	if files := openSpoolFiles(t, o); len(files) != 0 {
		t.Errorf("spool files left: %v", files)
	}
}

// A signed upload that takes longer than uploads.idle_timeout to process
// once its body is read (here: a slow remote file) is not cut short: the
// bound is on the body's reads only.
func TestIdleTimeoutSparesProcessing(t *testing.T) {
	png := testkit.Read(t, "chelsea.png")
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond) // three idle timeouts: the upload must still succeed
		w.Write(png)
	}))
	defer remote.Close()
	o := startOrigin(t, func(cfg *origin.Config) {
		cfg.Uploads.IdleTimeout = 200 * time.Millisecond
		cfg.Fetch.AllowNetworks = []string{"127.0.0.0/8"}
	})
	body := url.Values{"file": {remote.URL + "/c.png"}, "public_id": {"slow-remote"}}.Encode()
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload", "application/x-www-form-urlencoded", strings.NewReader(body), true)
	if status != 200 || !strings.Contains(resp, `"etag":"`+md5hex(png)+`"`) {
		t.Fatalf("%d %s", status, resp)
	}
}

// A JSON body is judged before its file too: its members before the file
// count with the query's parameters (here the credentials) for the
// signature, and a bad signature is answered while the file still comes.
func TestSignedJSONUpload(t *testing.T) {
	o := startOrigin(t, nil)
	png := testkit.Read(t, "chelsea.png")
	uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	now := time.Now().Unix()
	query := func(secret string) string {
		v := url.Values{}
		for _, f := range signed([][2]string{{"public_id", "j"}, {"tags", "a,b"}}, now, secret) {
			if f[0] != "public_id" && f[0] != "tags" {
				v.Set(f[0], f[1])
			}
		}
		return v.Encode()
	}
	body := `{"public_id": "j", "tags": "a,b", "file": "` + uri + `"}`
	status, resp := post(t, o.URL+"/v1_1/demo/image/upload?"+query(apiSecret), "application/json", strings.NewReader(body), false)
	if status != 200 || !strings.Contains(resp, `"tags":["a","b"]`) {
		t.Fatalf("signed JSON: %d %s", status, resp)
	}
	head := `{"public_id": "j", "tags": "a,b", "file": "` + uri[:100]
	answer, _ := stalledUpload(t, o.URL+"/v1_1/demo/image/upload?"+query("wrong"), "application/json", []byte(head), false)
	select {
	case resp := <-answer:
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 401 || !strings.Contains(string(b), "Invalid Signature") {
			t.Fatalf("badly signed JSON: %d %s", resp.StatusCode, b)
		}
	case <-time.After(10 * time.Second): // generous: the answer comes in milliseconds
		t.Fatal("no answer while the file was still being sent")
	}
}
