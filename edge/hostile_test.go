package edge

import (
	"bufio"
	"bytes"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// Oversized request headers get 431 (or the connection closed), never a
// crash; the edge keeps serving.
func TestOversizedHeaders(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.MaxHeaderBytes = 2 << 10 }, o.URL)
	conn, err := net.Dial("tcp", e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET /demo/image/upload/pic.jpg HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n"
	conn.Write([]byte(req))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if line != "" && !strings.Contains(line, "431") && !strings.Contains(line, "400") {
		t.Fatalf("oversized headers answered %q", line)
	}
	if r := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg"); r.Status != 200 {
		t.Fatalf("edge stopped serving: %d", r.Status)
	}
}

// A client that sends half a request and stalls is disconnected after the
// read timeout (slowloris).
func TestSlowClientIsDisconnected(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) { c.ReadTimeout = 200 * time.Millisecond; c.IdleTimeout = 200 * time.Millisecond }, o.URL)
	conn, err := net.Dial("tcp", e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /demo/image/upload/pic.jpg HTTP/1.1\r\nHost: x\r\n")) // never finished
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	b, err := bufio.NewReader(conn).ReadByte()
	if err == nil && b != 'H' {
		t.Fatalf("unexpected byte %q", b)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("slow client kept for %v", took)
	}
}

// Garbage on the wire gets an error and the server goes on.
func TestGarbageRequests(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, nil, o.URL)
	for _, junk := range []string{"\x00\x01\x02\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n",
		"GET /demo/image/upload/%zz.jpg HTTP/1.1\r\nHost: x\r\n\r\n"} {
		conn, err := net.Dial("tcp", e.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		conn.Write([]byte(junk))
		bufio.NewReader(conn).ReadString('\n')
		conn.Close()
	}
	if r := testkit.Get(t, e.URL+"/demo/image/upload/pic.jpg"); r.Status != 200 {
		t.Fatalf("edge stopped serving: %d", r.Status)
	}
}

func TestAccessLogSampling(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	var buf syncBuffer
	e := startEdge(t, func(c *Config) { c.AccessLogSample = 1 }, o.URL)
	e.log = slog.New(slog.NewTextHandler(&buf, nil))
	testkit.Get(t, e.URL+"/demo/image/upload/logged.jpg?_a=1")
	out := buf.String()
	for _, want := range []string{"msg=access", "uri=\"/demo/image/upload/logged.jpg?_a=1\"", "status=200", "cache=\"mediacdn; fwd=miss; stored\""} {
		if !strings.Contains(out, want) {
			t.Fatalf("access log lacks %s: %s", want, out)
		}
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
