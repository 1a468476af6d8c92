package edge

import (
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/purge"
)

// syncState is a Sync whose caught-up state the test sets.
type syncState bool

func (s syncState) CaughtUp() bool     { return bool(s) }
func (s syncState) State() purge.State { return purge.State{CaughtUp: bool(s)} }

// Every answer of "may this entry be served?": as a hit while fresh and
// trusted (versioned, or caught up); while revalidating when a trusted 200
// is within stale_while_revalidate; on an origin's failure when a 200 is
// within stale_if_error, trusted or not; never once a purge covers it.
func TestServable(t *testing.T) {
	t.Parallel()
	const (
		expires = int64(1000 * time.Second)
		swr     = time.Minute
		sie     = time.Hour
	)
	var notSynced, synced Sync = syncState(false), syncState(true)
	for _, c := range []struct {
		name      string
		versioned bool
		status    int
		sync      Sync
		now       int64
		want      uses
	}{
		{"fresh, caught up", false, 200, synced, expires - 1, useHit | useOnError},
		{"fresh, no subscriber", false, 200, nil, expires - 1, useHit | useOnError},
		{"fresh, not caught up", false, 200, notSynced, expires - 1, useOnError},
		{"fresh versioned, not caught up", true, 200, notSynced, expires - 1, useHit | useOnError},
		{"fresh 404, caught up", false, 404, synced, expires - 1, useHit},
		{"fresh 404, not caught up", false, 404, notSynced, expires - 1, 0},
		{"expired, within swr", false, 200, synced, expires, useRevalidating | useOnError},
		{"expired, within swr, not caught up", false, 200, notSynced, expires, useOnError},
		{"expired versioned, within swr, not caught up", true, 200, notSynced, expires + int64(swr) - 1,
			useRevalidating | useOnError},
		{"expired 404, within swr", false, 404, synced, expires, 0},
		{"expired past swr, within sie", false, 200, synced, expires + int64(swr), useOnError},
		{"expired past sie", false, 200, synced, expires + int64(sie), 0},
		{"expired 500, within sie", true, 500, synced, expires + 1, 0},
	} {
		ix := purge.NewIndex(purge.IndexConfig{})
		e := &entry{status: c.status, versioned: c.versioned, expires: expires,
			target: purge.Target{Cloud: "demo", Resource: delivery.Image, Type: delivery.Upload, PublicID: "pic"}}
		if got := e.servable(c.now, ix, c.sync, swr, sie); got != c.want {
			t.Errorf("%s: %b, want %b", c.name, got, c.want)
		}
		// A purge that covers it: never, whatever else holds.
		r := purge.NewAsset("demo", purge.ModeOf(config.Cloud{}), delivery.Image, delivery.Upload, "pic", 0)
		r.Seq = 1
		ix.Apply(r)
		if got := e.servable(c.now, ix, c.sync, swr, sie); got != usePurged {
			t.Errorf("%s, purged: %b, want only usePurged", c.name, got)
		}
	}
	// Negative windows disable both stale uses.
	e := &entry{status: 200, expires: expires}
	if got := e.servable(expires, purge.NewIndex(purge.IndexConfig{}), nil, -1, -1); got != 0 {
		t.Errorf("expired with no stale windows: %b, want none", got)
	}
}
