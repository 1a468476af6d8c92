package edge

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Client timeouts without per-request socket deadlines.
//
// fasthttp enforces ReadTimeout, IdleTimeout and WriteTimeout with socket
// deadlines: three per request on a keep-alive connection, each a clock
// read and a runtime timer update, about 12% of the edge's CPU on a small
// hit. Instead each connection records which phase it is in and since
// when, on a coarse clock, with one atomic store per change, and a
// watchdog closes the connections that stayed in a phase too long
// (closing unblocks the read or write they are stuck in). Connections are
// not wrapped (fasthttp writes a response's head and body with one writev
// only on a *net.TCPConn): fasthttp's ConnState hook registers them.
//
//   - phaseRequest, from accept or from a request's first byte until its
//     handler starts: ReadTimeout (a slowloris client that dribbles its
//     head is cut however steadily it dribbles);
//   - phaseIdle, between requests on a keep-alive connection: IdleTimeout;
//   - phaseHandle, while the handler runs: no client timeout (fills are
//     bounded by origin_timeout);
//   - phaseWrite, from the handler's return until the response is written:
//     WriteTimeout (a client that stops reading is cut).
//
// A limit is enforced within one watchdog tick (a tenth of the shortest
// limit, at most 250 ms) and never more than one tick early.

type phase int64

const (
	phaseRequest phase = iota
	phaseIdle
	phaseHandle
	phaseWrite
	phaseBits = 2
)

// connWatch tracks the edge's client connections and closes those past a
// limit.
type connWatch struct {
	limits [4]int64 // by phase, in clock units (ms); 0: none
	tick   time.Duration
	epoch  time.Time
	clock  atomic.Int64 // ms since epoch, advanced every tick

	conns sync.Map // net.Conn → *timedConn
	n     atomic.Int64

	timedOut  atomic.Int64 // connections closed by a limit
	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{}
}

func newConnWatch(read, idle, write time.Duration) *connWatch {
	w := &connWatch{epoch: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	w.limits[phaseRequest] = read.Milliseconds()
	w.limits[phaseIdle] = idle.Milliseconds()
	w.limits[phaseWrite] = write.Milliseconds()
	w.tick = 250 * time.Millisecond
	for _, l := range []time.Duration{read, idle, write} {
		if l > 0 {
			w.tick = min(w.tick, max(l/10, 5*time.Millisecond))
		}
	}
	w.clock.Store(1)
	return w
}

// start starts the watchdog (once).
func (w *connWatch) start() { w.startOnce.Do(func() { go w.run() }) }

// close stops the watchdog, if it started.
func (w *connWatch) close() {
	w.stopOnce.Do(func() { close(w.stop) })
	w.startOnce.Do(func() { close(w.done) })
	<-w.done
}

// open is the number of client connections open.
func (w *connWatch) open() int { return int(w.n.Load()) }

func (w *connWatch) run() {
	defer close(w.done)
	t := time.NewTicker(w.tick)
	defer t.Stop()
	var victims []victim
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		now := time.Since(w.epoch).Milliseconds() + 1
		w.clock.Store(now)
		victims = victims[:0]
		w.conns.Range(func(_, v any) bool {
			c := v.(*timedConn)
			st := c.state.Load()
			p, since := split(st)
			if l := w.limits[p]; l > 0 && now-since > l {
				victims = append(victims, victim{c, st})
			}
			return true
		})
		for _, v := range victims {
			// Not if it moved on since (a new request just began).
			if v.c.state.Load() == v.state && v.c.cut.CompareAndSwap(false, true) {
				w.timedOut.Add(1)
				v.c.conn.Close()
			}
		}
		clear(victims)
	}
}

// split unpacks a connection state: its phase and when it was entered.
func split(st int64) (phase, int64) { return phase(st & (1<<phaseBits - 1)), st >> phaseBits }

// enter records that c entered phase p now.
func (w *connWatch) enter(c *timedConn, p phase) {
	c.state.Store(w.clock.Load()<<phaseBits | int64(p))
}

// connState is the fasthttp.Server ConnState hook: it registers new
// connections, forgets closed ones and records a request's start and a
// connection's return to idle.
func (w *connWatch) connState(nc net.Conn, st fasthttp.ConnState) {
	switch st {
	case fasthttp.StateNew:
		c := &timedConn{conn: nc}
		w.enter(c, phaseRequest)
		w.conns.Store(nc, c)
		w.n.Add(1)
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		if _, ok := w.conns.LoadAndDelete(nc); ok {
			w.n.Add(-1)
		}
	case fasthttp.StateActive:
		// A request's first byte starts the read timeout, except on a new
		// connection, whose read timeout runs from accept.
		if v, ok := w.conns.Load(nc); ok {
			c := v.(*timedConn)
			if p, _ := split(c.state.Load()); p != phaseRequest {
				w.enter(c, phaseRequest)
			}
		}
	case fasthttp.StateIdle:
		w.at(nc, phaseIdle)
	}
}

// at records that the connection nc entered phase p now.
func (w *connWatch) at(nc net.Conn, p phase) *timedConn {
	v, ok := w.conns.Load(nc)
	if !ok {
		return nil
	}
	c := v.(*timedConn)
	w.enter(c, p)
	return c
}

// handler wraps h so that the connection is in phaseHandle while h runs
// and in phaseWrite after.
func (w *connWatch) handler(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		c := w.at(ctx.Conn(), phaseHandle)
		h(ctx)
		if c != nil {
			w.enter(c, phaseWrite)
		}
	}
}

// victim is a connection past its limit and the state it was found in.
type victim struct {
	c     *timedConn
	state int64
}

// timedConn is a client connection under the watchdog.
type timedConn struct {
	conn net.Conn
	// state is the phase in the low phaseBits and the clock when it was
	// entered above them.
	state atomic.Int64
	// cut is set when the watchdog closed the connection.
	cut atomic.Bool
}
