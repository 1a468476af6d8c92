package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Do sends the method, the headers given as pairs and Host as the
// request's host, and reads the answer whole; Get is Do with GET.
func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Method+" "+r.Host+" "+r.Header.Get("Accept")+" "+r.URL.RequestURI())
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "brewed")
	}))
	defer srv.Close()
	a := Do(t, http.MethodPost, srv.URL+"/pot?x=1", "Accept", "image/webp", "Host", "cdn.example")
	if a.Status != http.StatusTeapot || string(a.Body) != "brewed" || a.Header.Get("X-Seen") != "POST cdn.example image/webp /pot?x=1" {
		t.Fatalf("answer %v", a)
	}
	if a := Get(t, srv.URL+"/"); a.Header.Get("X-Seen") != "GET "+strings.TrimPrefix(srv.URL, "http://")+"  /" {
		t.Fatalf("answer %v", a)
	}
}

// A request that cannot be made or sent fails the test, as does an odd
// list of headers.
func TestDoFails(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	if fatal := run(func(tb testing.TB) { Get(tb, url) }); !strings.Contains(fatal, "refused") {
		t.Errorf("a closed server: fatal %q", fatal)
	}
	if fatal := run(func(tb testing.TB) { Get(tb, "http://127.0.0.1:1/", "Accept") }); !strings.Contains(fatal, "pairs") {
		t.Errorf("an odd header list: fatal %q", fatal)
	}
}

// String tells short text bodies as text, others by length and digest.
func TestAnswerString(t *testing.T) {
	a := Answer{Status: 404, Header: http.Header{"X-Cld-Error": {"Resource not found"}, "A": {"1", "2"}}, Body: []byte("missing\n")}
	if got, want := a.String(), `404, body "missing\n", A: 1, 2, X-Cld-Error: Resource not found`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	b := Answer{Status: 200, Body: []byte{0xff, 0xd8, 0xff, 0}}
	c := Answer{Status: 200, Body: []byte{0xff, 0xd8, 0xfe, 0}}
	if s := b.String(); !strings.HasPrefix(s, "200, 4 bytes sha256:") || s == c.String() {
		t.Errorf("binary bodies: %s and %s", s, c.String())
	}
}
