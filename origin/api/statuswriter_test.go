package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// The status-recording writer keeps what net/http's own writer offers:
// io.ReaderFrom (sendfile), http.Flusher, and http.ResponseController
// through Unwrap; it records the status the client gets.
func TestStatusWriter(t *testing.T) {
	file := testkit.Path(t, "LadyBird.jpg")
	want := testkit.Read(t, "LadyBird.jpg")
	statuses := make(chan int, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &StatusWriter{ResponseWriter: w}
		defer func() { statuses <- sw.Code() }()
		if r.URL.Path == "/nothing" {
			return
		}
		if r.URL.Path == "/teapot" {
			sw.WriteHeader(http.StatusEarlyHints)
			sw.WriteHeader(http.StatusTeapot)
			sw.WriteHeader(http.StatusOK) // superfluous: ignored
			return
		}
		rc := http.NewResponseController(sw)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("ResponseController through Unwrap: %v", err)
		}
		var rw http.ResponseWriter = sw
		if _, ok := rw.(http.Flusher); !ok {
			t.Error("not an http.Flusher")
		}
		rf, ok := rw.(io.ReaderFrom)
		if !ok {
			t.Fatal("not an io.ReaderFrom")
		}
		f, err := os.Open(file)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if n, err := rf.ReadFrom(f); err != nil || n != int64(len(want)) {
			t.Errorf("ReadFrom: %d, %v", n, err)
		}
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
	}))
	defer srv.Close()
	for _, c := range []struct {
		path   string
		status int
		body   []byte
	}{
		{"/file", http.StatusOK, want},
		{"/nothing", http.StatusOK, nil},
		{"/teapot", http.StatusTeapot, nil},
	} {
		a := testkit.Get(t, srv.URL+c.path)
		if a.Status != c.status || !bytes.Equal(a.Body, c.body) {
			t.Errorf("%s: %d, %d bytes; want %d, %d bytes", c.path, a.Status, len(a.Body), c.status, len(c.body))
		}
		if got := <-statuses; got != c.status {
			t.Errorf("%s: recorded %d, want %d", c.path, got, c.status)
		}
	}
}
