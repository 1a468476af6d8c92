package purge

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

var discard = slog.New(slog.DiscardHandler)

// startServer starts an embedded NATS server with JetStream in dir on
// port (0: a random one) and stops it when the test ends.
func startServer(t testing.TB, dir string, port int) *EmbeddedServer {
	t.Helper()
	srv, err := StartEmbedded(Embedded{
		Listen: "127.0.0.1:" + strconv.Itoa(port), StoreDir: dir, ReadyTimeout: 10 * time.Second,
	}, "", discard)
	if err != nil {
		t.Fatalf("start NATS: %v", err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

func portOf(t testing.TB, clientURL string) int {
	u, err := url.Parse(clientURL)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}

// testConfig is a Config with short bounds for tests.
func testConfig(urls ...string) Config {
	return Config{
		URLs:              urls,
		ReconnectWait:     20 * time.Millisecond,
		CaughtUpBound:     300 * time.Millisecond,
		HeartbeatInterval: 50 * time.Millisecond,
		LiveWindow:        400 * time.Millisecond,
		Stream:            Stream{MaxAge: time.Hour},
	}
}

func connect(t testing.TB, cfg Config, name string) *nats.Conn {
	t.Helper()
	nc, err := Connect(cfg, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func newPublisher(t testing.TB, cfg Config) *Publisher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := NewPublisher(ctx, connect(t, cfg, "origin"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// edge is a subscriber with its own connection and index.
type edge struct {
	ix  *Index
	sub *Subscriber
}

func startEdge(t testing.TB, cfg Config, id string, clouds ...string) *edge {
	t.Helper()
	ix := NewIndex(IndexConfig{})
	sub, err := NewSubscriber(connect(t, cfg, id), ix, cfg, SubscriberOptions{EdgeID: id, Clouds: clouds, Log: discard})
	if err != nil {
		t.Fatal(err)
	}
	sub.Start(context.Background())
	t.Cleanup(sub.Close)
	return &edge{ix: ix, sub: sub}
}

func publish(t testing.TB, p *Publisher, r *Rule) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	seq, err := p.Publish(ctx, r)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return seq
}

func waitApplied(t testing.TB, e *edge, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sub.WaitApplied(ctx, seq); err != nil {
		t.Fatalf("sequence %d not applied (applied %d): %v", seq, e.sub.Applied(), err)
	}
}

// proxy is a TCP proxy in front of the NATS server that can cut every
// connection through it and refuse new ones: a network partition of the
// clients that use it.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool       // guarded by mu
	conns []net.Conn // guarded by mu
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(target)
	p := &proxy{ln: ln, target: u.Host}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) URL() string { return "nats://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go pipe(c, s)
		go pipe(s, c)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
