//go:build cgo

package imaging

import (
	"container/list"
	"sync"
)

// layerCache keeps prepared image layers: a layer's pixels after its own
// transformation (the decode and the components up to its
// fl_layer_apply), uncompressed, so that a watermark put on many images is
// decoded and resized once rather than on every request. It is bounded in
// bytes (Config.LayerCache) and in entries, evicts the least recently used,
// and is safe for concurrent pipelines. What is cached and what its key
// holds: layers_apply.go (layerKey).
type layerCache struct {
	max, maxEntry int64 // bytes in all, bytes of one entry
	mu            sync.Mutex
	size          int64
	lru           *list.List // of *layerEntry, most recent first
	byKey         map[string]*list.Element
}

// maxLayerEntries bounds the entries, whatever their size.
const maxLayerEntries = 1024

// layerEntry is one prepared layer: its pixels as libvips lays them out
// in memory, and what it takes to open them again.
type layerEntry struct {
	key            string
	pix            []byte
	width, height  int
	bands, format  int // VipsBandFormat
	interpretation int // VipsInterpretation
}

// newLayerCache is a cache of max bytes; an entry over a quarter of it is
// not kept. A max of zero or less means no cache (nil).
func newLayerCache(max int64) *layerCache {
	if max <= 0 {
		return nil
	}
	return &layerCache{max: max, maxEntry: max / 4, lru: list.New(), byKey: map[string]*list.Element{}}
}

// get is the entry under key, if any, made the most recent.
func (c *layerCache) get(key string) (*layerEntry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*layerEntry), true
}

// put keeps e (unless it is too large), evicting the least recently used
// entries to stay within the bounds. Entries are never changed once put:
// a pipeline may still read one after its eviction.
func (c *layerCache) put(e *layerEntry) {
	n := int64(len(e.pix))
	if c == nil || n > c.maxEntry {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byKey[e.key]; ok {
		c.remove(old)
	}
	for c.lru.Len() > 0 && (c.size+n > c.max || c.lru.Len() >= maxLayerEntries) {
		c.remove(c.lru.Back())
	}
	c.byKey[e.key] = c.lru.PushFront(e)
	c.size += n
}

func (c *layerCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*layerEntry)
	delete(c.byKey, e.key)
	c.size -= int64(len(e.pix))
}

// usage is the bytes and entries held.
func (c *layerCache) usage() (int64, int) {
	if c == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size, c.lru.Len()
}
