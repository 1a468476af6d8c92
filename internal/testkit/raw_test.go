package testkit

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// serveRaw answers every connection with answer once it has read the
// request's head, and sends each request line it read on seen.
func serveRaw(t *testing.T, answer string) (addr string, seen <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	lines := make(chan string, 10)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(conn)
			first, _ := br.ReadString('\n')
			for line := first; line != "\r\n" && line != ""; line, _ = br.ReadString('\n') {
			}
			lines <- strings.TrimSuffix(first, "\r\n")
			io.WriteString(conn, answer)
			conn.Close()
		}
	}()
	return ln.Addr().String(), lines
}

// The request goes as it is; the answer comes back as it came: status
// line, header lines, and a body of its Content-Length or up to the close.
func TestRawExchange(t *testing.T) {
	addr, seen := serveRaw(t, "HTTP/1.1 404 Not Found\r\nx-cld-error: Resource not found - \xc0\r\nContent-Length: 5\r\n\r\nmissing and more")
	a := RawExchange(t, addr, "GET /a\xff b HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := <-seen; got != "GET /a\xff b HTTP/1.1" {
		t.Errorf("request line %q", got)
	}
	if a.StatusLine != "HTTP/1.1 404 Not Found" || a.Code() != http.StatusNotFound || a.Body != "missi" ||
		!slices.Equal(a.Lines, []string{"x-cld-error: Resource not found - \xc0", "Content-Length: 5"}) ||
		a.Header("X-Cld-Error") != "Resource not found - \xc0" || a.Header("Connection") != "" {
		t.Errorf("answer %+v", a)
	}
	addr, _ = serveRaw(t, "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nto the end\n")
	if a := RawExchange(t, addr, "GET / HTTP/1.0\r\n\r\n"); a.Code() != 200 || a.Body != "to the end\n" {
		t.Errorf("answer without Content-Length %+v", a)
	}
}

// A server that closes before the head ends leaves the answer as far as
// it came; a body shorter than its Content-Length fails the test.
func TestRawExchangeCutShort(t *testing.T) {
	addr, _ := serveRaw(t, "")
	if a := RawExchange(t, addr, "GET / HTTP/1.1\r\n\r\n"); a.StatusLine != "" || a.Code() != 0 || a.Lines != nil {
		t.Errorf("no answer: %+v", a)
	}
	addr, _ = serveRaw(t, "HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\n")
	if a := RawExchange(t, addr, "GET / HTTP/9.9\r\n\r\n"); a.Code() != 505 || a.Header("Connection") != "close" {
		t.Errorf("head cut short: %+v", a)
	}
	addr, _ = serveRaw(t, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
	if fatal := run(func(tb testing.TB) { RawExchange(tb, addr, "GET / HTTP/1.1\r\n\r\n") }); !strings.Contains(fatal, "10-byte body") {
		t.Errorf("a body cut short: fatal %q", fatal)
	}
}
