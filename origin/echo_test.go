package origin_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// checkSafeText fails unless s is text Echo would leave as it is: valid
// UTF-8 with only characters that print, no CR or LF.
func checkSafeText(t testing.TB, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) || delivery.Echo(s, 0) != s {
		t.Errorf("%s %q: invalid UTF-8 or characters that do not print", what, s)
	}
}

// An API error that quotes the request (here the public ID of the path)
// escapes invalid UTF-8 and control characters, CR and LF among them, and
// is bounded however long the request's text. Before, the JSON message
// carried the decoded bytes: CR LF, NUL, and U+FFFD for invalid UTF-8.
func TestAPIErrorEscapesRequestText(t *testing.T) {
	o := startOrigin(t, nil)
	for _, c := range []struct {
		id, want string
	}{
		{"%C0%AE", "Resource not found - %C0%AE"},
		{"a%0D%0AX-Injected:%201", "Resource not found - a%0D%0AX-Injected: 1"},
		{"nul%00del%7F", "Resource not found - nul%00del%7F"},
		{"rtl%E2%80%AEx", "Resource not found - rtl%E2%80%AEx"},
		{"caf%C3%A9", "Resource not found - café"},
	} {
		a := adminGet(t, o, "resources/image/upload/"+c.id)
		if a.status != http.StatusNotFound || a.errorMessage() != c.want {
			t.Errorf("%s: %d %q, want 404 %q", c.id, a.status, a.errorMessage(), c.want)
		}
	}
	long := strings.Repeat("%FF", 4000)
	a := adminGet(t, o, "resources/image/upload/"+long)
	msg := a.errorMessage()
	if a.status != http.StatusNotFound || len(msg) > delivery.MessageLimit+3 || !strings.HasSuffix(msg, "%FF...") {
		t.Errorf("long ID: %d, %d bytes: %.80q...", a.status, len(msg), msg)
	}
	checkSafeText(t, "long ID message", msg)
	// A parameter's value, cut at its own bound inside the message.
	a = adminGet(t, o, "resources/image/upload?direction="+strings.Repeat("%01", 200))
	if msg := a.errorMessage(); a.status != http.StatusBadRequest || !strings.HasPrefix(msg, "Invalid direction - %01%01") ||
		len(msg) > 200 {
		t.Errorf("direction: %d %q", a.status, msg)
	}
}

// The JSON body itself carries no raw control bytes and is valid UTF-8
// (read off the wire, not through a JSON decoder that would hide them).
func TestAPIErrorBodyOnTheWire(t *testing.T) {
	o := startOrigin(t, nil)
	a := testkit.RawExchange(t, strings.TrimPrefix(o.URL, "http://"),
		"GET /v1_1/demo/resources/image/upload/%C0%AE%0D%0A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"+
			"Authorization: Basic ZGVtb19rZXk6ZGVtb19zZWNyZXQ=\r\n\r\n") // demo_key:demo_secret
	if !strings.Contains(a.StatusLine, " 404 ") {
		t.Fatalf("status %q", a.StatusLine)
	}
	if !utf8.ValidString(a.Body) || strings.Contains(a.Body, `\r`) || strings.Contains(a.Body, `\ufffd`) {
		t.Errorf("body %q", a.Body)
	}
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.Body), &e); err != nil || e.Error.Message != "Resource not found - %C0%AE%0D%0A" {
		t.Errorf("body %q: %v", a.Body, err)
	}
}

// Delivery errors quote the URL in X-Cld-Error and the body: escaped and
// bounded, both ways a URL can carry a byte (percent-escaped, or raw in
// the request line). Before, %c0%ae came back as the raw bytes C0 AE.
func TestDeliveryErrorEscapesRequestText(t *testing.T) {
	o := startOrigin(t, nil)
	addr := strings.TrimPrefix(o.URL, "http://")
	for _, c := range []struct {
		target, want string
	}{
		{"/demo/image/upload/%c0%ae.jpg", "Resource not found - %C0%AE"},
		{"/demo/image/upload/\xc0\xae.jpg", "Resource not found - %C0%AE"},
		{"/demo/image/upload/rtl%e2%80%aex.jpg", "Resource not found - rtl%E2%80%AEx"},
		{"/demo/image/upload/caf%c3%a9.jpg", "Resource not found - café"},
		{"/demo/image/upload/a%0d%0aX-Injected:%201.jpg", "Invalid public ID - a%0d%0aX-Injected:%201"},
		{"/demo/image/upload/w_\xff\xfe/pic.jpg", "Invalid width in transformation: %FF%FE"},
		{"/demo/image/upload/" + strings.Repeat("%ff", 255) + ".jpg", "Resource not found - " + strings.Repeat("%FF", 255)},
		{"/demo/image/upload/w_" + strings.Repeat("\xff", 2000) + "/pic.jpg", "Invalid width in transformation: " + strings.Repeat("%FF", 40) + "..."},
	} {
		a := testkit.RawExchange(t, addr, "GET "+c.target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		got := a.Header("X-Cld-Error")
		if got != c.want || a.Body != c.want+"\n" {
			t.Errorf("%.60q: %s, X-Cld-Error %.80q, body %.80q; want %.80q", c.target, a.StatusLine, got, a.Body, c.want)
		}
		if a.Header("X-Injected") != "" {
			t.Errorf("%q: a header was injected", c.target)
		}
		for _, h := range a.Lines {
			checkSafeText(t, "header", h)
		}
		checkSafeText(t, "body", strings.TrimSuffix(a.Body, "\n"))
	}
}
