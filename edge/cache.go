package edge

import (
	"bytes"

	"github.com/cespare/xxhash/v2"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/dgraph-io/ristretto/v2/z"
)

// cache holds entries in ristretto with cost = bytes. A Set may be dropped
// by the admission policy; that only makes the next lookup a miss.
type cache struct {
	c *ristretto.Cache[[]byte, *entry]
}

func newCache(maxBytes int64) (*cache, error) {
	c, err := ristretto.NewCache(&ristretto.Config[[]byte, *entry]{
		// ~10 counters per expected item; items average tens of KB.
		NumCounters:        max(maxBytes/2048, 100_000),
		MaxCost:            maxBytes,
		BufferItems:        64,
		IgnoreInternalCost: true,
		Metrics:            true,
		// Hash without going through any (which would allocate).
		KeyToHash: func(k []byte) (uint64, uint64) { return z.MemHash(k), xxhash.Sum64(k) },
	})
	if err != nil {
		return nil, err
	}
	return &cache{c: c}, nil
}

// get returns the entry for key, if present and really for this key.
func (c *cache) get(key []byte) (*entry, bool) {
	e, ok := c.c.Get(key)
	if !ok || e == nil || !bytes.Equal(e.key, key) {
		return nil, false
	}
	return e, true
}

// set stores e under its key and waits until the cache has applied the
// write (ristretto buffers Sets), so that a request arriving after a fill
// finds its result. It reports whether the cache took the entry; the
// admission policy may drop it, which only makes the next lookup a miss.
func (c *cache) set(e *entry) bool {
	ok := c.c.Set(e.key, e, e.cost)
	c.c.Wait()
	return ok
}

// del removes key.
func (c *cache) del(key []byte) { c.c.Del(key) }

// clear drops everything (a flush when purges were lost).
func (c *cache) clear() { c.c.Clear() }

// entries estimates how many entries are held.
func (c *cache) entries() int64 {
	m := c.c.Metrics
	if m == nil {
		return 0
	}
	return int64(m.KeysAdded()) - int64(m.KeysEvicted())
}

// used is the cost currently held.
func (c *cache) used() int64 { return c.c.MaxCost() - c.c.RemainingCost() }

func (c *cache) close() { c.c.Close() }
