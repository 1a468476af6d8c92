package edge

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

const timeoutsPath = "/demo/image/upload/pic.jpg"

// dialEdge opens a raw client connection that gives up after 10 s.
func dialEdge(t *testing.T, e *testEdge) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", e.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}

// roundTrip sends one complete request on conn and reads its response.
func roundTrip(t *testing.T, conn net.Conn, br *bufio.Reader) {
	t.Helper()
	if _, err := conn.Write([]byte("GET " + timeoutsPath + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// waitClosed reads until the server closes conn and returns how long that
// took from start; it fails if the server answered with anything.
func waitClosed(t *testing.T, br *bufio.Reader, start time.Time) time.Duration {
	t.Helper()
	n, err := io.Copy(io.Discard, br)
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the edge kept the connection for %v", took)
	}
	if n != 0 {
		t.Fatalf("the edge answered %d bytes instead of closing", n)
	}
	return took
}

// dribble writes a request head that never ends, a byte every 10 ms, until
// the connection fails.
func dribble(conn net.Conn) {
	head := "GET " + timeoutsPath + " HTTP/1.1\r\nHost: x\r\nX-Slow: "
	for i := 0; ; i++ {
		b := "a"
		if i < len(head) {
			b = head[i : i+1]
		}
		if _, err := conn.Write([]byte(b)); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond) // the client's pace, not a wait for the server
	}
}

// A keep-alive connection left idle is closed after the idle timeout,
// however long the read and write timeouts are.
func TestIdleConnectionIsClosed(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) {
		c.IdleTimeout, c.ReadTimeout, c.WriteTimeout = 300*time.Millisecond, time.Minute, time.Minute
	}, o.URL)
	conn := dialEdge(t, e)
	br := bufio.NewReader(conn)
	roundTrip(t, conn, br)
	roundTrip(t, conn, br) // keep-alive works
	took := waitClosed(t, br, time.Now())
	if took < 150*time.Millisecond {
		t.Fatalf("idle connection closed after %v, before the 300ms idle timeout", took)
	}
}

// A client that starts a request on a kept-alive connection and dribbles
// its head one byte at a time is cut after the read timeout, measured from
// the request's first byte, although the idle timeout is long and bytes
// keep coming.
func TestDribblingRequestIsCut(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) {
		c.ReadTimeout, c.IdleTimeout, c.WriteTimeout = 300*time.Millisecond, time.Minute, time.Minute
	}, o.URL)
	conn := dialEdge(t, e)
	br := bufio.NewReader(conn)
	roundTrip(t, conn, br)
	start := time.Now()
	go dribble(conn)
	took := waitClosed(t, br, start)
	if took < 150*time.Millisecond {
		t.Fatalf("cut after %v, before the 300ms read timeout", took)
	}
}

// A client that asks for a large response and does not read it is cut
// after the write timeout; the edge counts it and forgets the connection.
func TestSlowReaderIsCut(t *testing.T) {
	const size = 64 << 20
	chunk := make([]byte, 1<<20)
	o := startTestOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for i := 0; i < size/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	e := startEdge(t, func(c *Config) {
		c.WriteTimeout, c.ReadTimeout, c.IdleTimeout = 300*time.Millisecond, time.Minute, time.Minute
	}, o.URL)
	conn := dialEdge(t, e)
	if _, err := conn.Write([]byte("GET " + timeoutsPath + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	testkit.CheckFor(t, testkit.Timeout, func() error {
		if open, cut := e.watch.open(), e.watch.timedOut.Load(); open != 0 || cut == 0 {
			return fmt.Errorf("a client that does not read is still connected (%d open, %d timed out)", open, cut)
		}
		return nil
	})
	n, _ := io.Copy(io.Discard, conn)
	if n >= size {
		t.Fatalf("the whole %d-byte response arrived", n)
	}
}

// On a new connection the read timeout runs from accept: a client that
// waits most of it before its first byte does not get a second one to
// dribble the rest.
func TestNewConnectionReadTimeoutFromAccept(t *testing.T) {
	o := startTestOrigin(t, imageOrigin)
	e := startEdge(t, func(c *Config) {
		c.ReadTimeout, c.IdleTimeout, c.WriteTimeout = time.Second, time.Minute, time.Minute
	}, o.URL)
	conn := dialEdge(t, e)
	start := time.Now()
	go func() {
		time.Sleep(800 * time.Millisecond) // the client's pace: silent for most of the timeout
		dribble(conn)
	}()
	took := waitClosed(t, bufio.NewReader(conn), start)
	if took > 1600*time.Millisecond {
		t.Fatalf("a new connection was cut %v after accept, past the 1s read timeout", took)
	}
}
