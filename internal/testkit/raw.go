package testkit

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RawAnswer is a response read off the wire as it came: its status line,
// its header lines and its body, bytes untouched by an HTTP client.
type RawAnswer struct {
	StatusLine string   // "HTTP/1.1 404 Not Found"; "" when no answer came
	Lines      []string // the header lines, without their CRLF
	Body       string
}

// Header is the value of the first header named name ("" when absent).
func (a RawAnswer) Header(name string) string {
	for _, h := range a.Lines {
		if k, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Code is the status code of the answer (0 when there was none).
func (a RawAnswer) Code() int {
	_, rest, _ := strings.Cut(a.StatusLine, " ")
	n, _ := strconv.Atoi(strings.SplitN(rest, " ", 2)[0])
	return n
}

// rawTimeout bounds a whole raw exchange: the answer to a request that
// cannot be sent through an HTTP client comes at once or not at all.
const rawTimeout = 10 * time.Second

// RawExchange writes req to a new connection to addr as it is (no client
// checks or fixes it, so a test can send what a client would refuse), then
// reads one answer: the head until the blank line, and the body of its
// Content-Length, or without one until the server closes the connection
// (send "Connection: close" then). A server that closes the connection or
// stops sending before the head ends leaves the answer as far as it came:
// an empty StatusLine means none came. A body cut short fails the test.
func RawExchange(tb testing.TB, addr, req string) RawAnswer {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(rawTimeout))
	if _, err := io.WriteString(conn, req); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReader(conn)
	var a RawAnswer
	for first := true; ; first = false {
		line, err := br.ReadString('\n')
		if err != nil {
			return a
		}
		line = strings.TrimSuffix(line, "\r\n")
		if first {
			a.StatusLine = line
			continue
		}
		if line == "" {
			break
		}
		a.Lines = append(a.Lines, line)
	}
	if cl := a.Header("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil {
			tb.Fatalf("testkit: Content-Length %q", cl)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			tb.Fatalf("testkit: reading a %d-byte body: %v", n, err)
		}
		a.Body = string(b)
		return a
	}
	b, err := io.ReadAll(br)
	if err != nil {
		tb.Fatalf("testkit: reading a body up to the end of the connection: %v", err)
	}
	a.Body = string(b)
	return a
}
