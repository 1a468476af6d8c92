package main

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// logSink is the current package's log: the tests' output line by line
// and, with -wire, the proxy's blocks between the lines.
type logSink struct {
	mu sync.Mutex
	f  *os.File
}

func (s *logSink) set(f *os.File) {
	s.mu.Lock()
	s.f = f
	s.mu.Unlock()
}

func (s *logSink) write(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f != nil {
		s.f.Write(b)
	}
}

func (s *logSink) writeLine(l string) { s.write([]byte(l + "\n")) }

// lineWriter copies a process's output into capture and, whole lines at a
// time, into the sink.
type lineWriter struct {
	sink    *logSink
	capture *bytes.Buffer
	partial []byte
}

func (s *logSink) lineWriter(capture *bytes.Buffer) *lineWriter {
	return &lineWriter{sink: s, capture: capture}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.capture.Write(p)
	w.partial = append(w.partial, p...)
	if i := bytes.LastIndexByte(w.partial, '\n'); i >= 0 {
		w.sink.write(w.partial[:i+1])
		w.partial = append(w.partial[:0], w.partial[i+1:]...)
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.sink.write(append(w.partial, '\n'))
		w.partial = nil
	}
}

// serveWire starts the -wire proxy: listen → target, each exchange logged
// into the sink as
//
//	>>> METHOD /path?query
//	    body: field=value … (files as <file "name" N bytes>)
//	<<< STATUS response body
func serveWire(listen, target string, sink *logSink) (*http.Server, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(rec, r)
		var b strings.Builder
		fmt.Fprintf(&b, "    >>> %s %s\n", r.Method, r.URL.RequestURI())
		if len(body) > 0 {
			fmt.Fprintf(&b, "        body: %s\n", describeBody(r.Header.Get("Content-Type"), body))
		}
		if cr := r.Header.Get("Content-Range"); cr != "" {
			fmt.Fprintf(&b, "        Content-Range: %s X-Unique-Upload-Id: %s\n", cr, r.Header.Get("X-Unique-Upload-Id"))
		}
		fmt.Fprintf(&b, "    <<< %d %s\n", rec.status, trunc(strings.TrimSpace(rec.buf.String()), 2500))
		sink.write([]byte(b.String()))
	})
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("wire proxy: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, nil
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(c int) { r.status = c; r.ResponseWriter.WriteHeader(c) }

func (r *recorder) Write(b []byte) (int, error) {
	if r.buf.Len() < 10000 {
		r.buf.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}

// describeBody shows a request body: form fields sorted, files by name and
// size, anything else as it is (cut short).
func describeBody(ct string, body []byte) string {
	mt, params, _ := mime.ParseMediaType(ct)
	var parts []string
	switch mt {
	case "multipart/form-data":
		r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := r.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FileName() != "" {
				parts = append(parts, fmt.Sprintf("%s=<file %q %d bytes>", p.FormName(), p.FileName(), len(b)))
			} else {
				parts = append(parts, p.FormName()+"="+trunc(string(b), 200))
			}
		}
	case "application/x-www-form-urlencoded":
		v, _ := url.ParseQuery(string(body))
		for k, vs := range v {
			for _, x := range vs {
				parts = append(parts, k+"="+trunc(x, 200))
			}
		}
	default:
		return trunc(string(body), 1500)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
