package purge

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// IndexConfig configures an edge's rule index.
type IndexConfig struct {
	// Retention is how long an applied rule is kept: the longest time an
	// edge keeps a cached response (its longest TTL). An entry whose fill
	// started before the oldest kept rule counts as covered, so a short
	// retention costs refetches, never staleness. Zero means 744h (31 days).
	Retention time.Duration
	// MaxRules bounds the rules kept; past it the oldest are dropped, with
	// the same effect as Retention. Zero means 1,048,576.
	MaxRules int
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// DefaultMaxRules is IndexConfig.MaxRules's default.
const DefaultMaxRules = 1 << 20

// Index is an edge's view of the purge stream, built the way Varnish bans
// work: applied rules are kept in sequence order and a cached response is
// checked lazily, at lookup, against the rules newer than the sequence it
// was last checked at. The cache is never walked.
//
// An edge stores with each cache entry the sequence Seq returned when its
// fill started and a "checked up to" sequence (the same at first). At
// lookup, when checked < Seq(), it calls Covered(&target, checked): true
// means the entry is invalid; false means it is valid up to the Seq read
// before the call, which becomes the new checked. A fill that started
// before a purge is thus covered by it even if it finished after.
//
// Lookups cost a map hit: rules for one asset are kept under a hash of
// (resource type, type, public ID) per cloud, named-transformation rules
// under their name; prefix rules sit in a short per-cloud list; a
// whole-cloud flush is a generation number. Rules older than the retention are dropped and raise a watermark
// below which everything counts as covered.
//
// Index is safe for concurrent use by many readers (Covered, Seq) and one
// writer (Apply, Flush, Advance, Trim: the subscriber).
type Index struct {
	cfg  IndexConfig
	seed maphash.Seed // immutable

	// seq is the last applied sequence. It is stored while mu is held for
	// writing, after the rule is in place, so a reader that sees it and
	// then takes mu sees the rule.
	seq atomic.Uint64

	mu sync.RWMutex
	// floor, guarded by mu: entries with since < floor are covered (a flush
	// of every cloud, or rules dropped by retention).
	floor uint64
	// clouds, guarded by mu: the rules per cloud.
	clouds map[string]*cloudRules
	// log, guarded by mu: every kept asset, named and prefix rule in sequence
	// order, for retention.
	log ruleLog
}

// cloudRules are one cloud's rules. Its fields are guarded by Index.mu.
type cloudRules struct {
	// newest is the sequence of the newest rule or flush of the cloud.
	newest uint64
	// flushed is the sequence of the newest flush of the cloud.
	flushed uint64
	// assets holds asset and created rules by assetKey (collisions are
	// harmless: Matches checks the asset).
	assets map[uint64]*ruleList
	// named holds named-transformation rules by name.
	named map[string]*ruleList
	// prefixes holds prefix rules.
	prefixes ruleList
}

// NewIndex returns an empty index.
func NewIndex(cfg IndexConfig) *Index {
	if cfg.Retention <= 0 {
		cfg.Retention = 31 * 24 * time.Hour
	}
	if cfg.MaxRules <= 0 {
		cfg.MaxRules = DefaultMaxRules
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Index{cfg: cfg, seed: maphash.MakeSeed(), clouds: map[string]*cloudRules{}}
}

// Seq returns the last applied sequence: what an edge stamps on an entry
// when its fill starts. It is a single atomic load.
func (ix *Index) Seq() uint64 { return ix.seq.Load() }

// Covered reports whether any rule applied with a sequence above since
// covers t (or since is below what the index still knows). It does not
// allocate unless a transformation-list rule has to canonicalise t's
// transformation.
func (ix *Index) Covered(t *Target, since uint64) bool {
	if since >= ix.seq.Load() {
		return false
	}
	ix.mu.RLock()
	covered := ix.covered(t, since)
	ix.mu.RUnlock()
	return covered
}

// covered is Covered's body. ix.mu must be held.
func (ix *Index) covered(t *Target, since uint64) bool {
	if since < ix.floor {
		return true
	}
	c := ix.clouds[t.Cloud]
	if c == nil || since >= c.newest {
		return false
	}
	if since < c.flushed || c.prefixes.anyMatch(t, since) || c.namedMatch(t, since) {
		return true
	}
	l := c.assets[ix.assetKey(t.Resource, t.Type, t.PublicID)]
	return l != nil && l.anyMatch(t, since)
}

// namedMatch reports whether a named-transformation rule newer than since
// names a transformation t uses. Index.mu must be held.
func (c *cloudRules) namedMatch(t *Target, since uint64) bool {
	if len(c.named) == 0 {
		return false
	}
	it := newNamedIter(t.Transformation)
	for n, ok := it.next(); ok; n, ok = it.next() {
		if l := c.named[n]; l != nil && l.newest() > since {
			return true
		}
	}
	return false
}

// assetKey hashes an asset's identity within a cloud.
func (ix *Index) assetKey(rt delivery.ResourceType, typ delivery.DeliveryType, publicID string) uint64 {
	return maphash.String(ix.seed, publicID) ^ uint64(rt)<<56 ^ uint64(typ)<<48
}

// Apply adds a rule. Rules must come in sequence order; one whose Seq is
// not above Seq() has been applied already and is ignored. The index keeps
// r: do not change it afterwards.
func (ix *Index) Apply(r *Rule) {
	if r.Seq <= ix.seq.Load() {
		return
	}
	r.prepare()
	now := ix.cfg.Now()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	switch r.Kind {
	case KindAsset, KindCreated:
		c := ix.cloud(r.Cloud)
		key := ix.assetKey(r.Resource, r.Type, r.PublicID)
		ix.keep(r, now, c.assets, key, nil, "")
	case KindNamed:
		c := ix.cloud(r.Cloud)
		ix.keep(r, now, nil, 0, c.named, r.Named)
	case KindPrefix:
		c := ix.cloud(r.Cloud)
		c.prefixes.push(r)
		ix.log.push(logEntry{seq: r.Seq, at: now, list: &c.prefixes})
	default: // KindFlush, and whatever is unknown
		ix.flush(r.Cloud, r.Seq)
	}
	if r.Cloud != "" {
		c := ix.cloud(r.Cloud)
		c.newest = max(c.newest, r.Seq)
	}
	ix.trim(now)
	ix.seq.Store(r.Seq)
}

// Flush invalidates every entry of cloud (of every cloud when cloud is "")
// filled before sequence seq, and advances Seq to seq if it is behind: a
// generation bump, O(1). The subscriber calls it when the stream lost rules
// it had not applied.
func (ix *Index) Flush(cloud string, seq uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.flush(cloud, seq)
	if seq > ix.seq.Load() {
		ix.seq.Store(seq)
	}
}

// flush records a flush. ix.mu must be held for writing.
func (ix *Index) flush(cloud string, seq uint64) {
	if cloud == "" {
		ix.floor = max(ix.floor, seq)
		return
	}
	c := ix.cloud(cloud)
	c.flushed = max(c.flushed, seq)
	c.newest = max(c.newest, seq)
}

// Advance moves Seq to seq without a rule (a rule for a cloud this edge
// does not serve).
func (ix *Index) Advance(seq uint64) {
	ix.mu.Lock()
	if seq > ix.seq.Load() {
		ix.seq.Store(seq)
	}
	ix.mu.Unlock()
}

// Trim drops the rules older than the retention; Apply does it too, so
// calling it only matters when no rule has come for a while.
func (ix *Index) Trim() {
	now := ix.cfg.Now()
	ix.mu.Lock()
	ix.trim(now)
	ix.mu.Unlock()
}

// Len returns the number of rules kept.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.log.len()
}

// keep adds r to the list under key in byKey, or under name in byName,
// creating the list, and logs it. ix.mu must be held for writing.
func (ix *Index) keep(r *Rule, now time.Time, byKey map[uint64]*ruleList, key uint64, byName map[string]*ruleList, name string) {
	var l *ruleList
	if byKey != nil {
		l = byKey[key]
	} else {
		l = byName[name]
	}
	if l == nil {
		l = &ruleList{}
		if byKey != nil {
			byKey[key] = l
		} else {
			byName[name] = l
		}
	}
	l.push(r)
	ix.log.push(logEntry{seq: r.Seq, at: now, list: l, byKey: byKey, key: key, byName: byName, name: name})
}

// cloud returns a cloud's rules, creating them. ix.mu must be held for
// writing.
func (ix *Index) cloud(name string) *cloudRules {
	c := ix.clouds[name]
	if c == nil {
		c = &cloudRules{assets: map[uint64]*ruleList{}, named: map[string]*ruleList{}}
		ix.clouds[name] = c
	}
	return c
}

// trim drops rules past the retention or the count limit and raises floor
// to the newest dropped sequence. ix.mu must be held for writing.
func (ix *Index) trim(now time.Time) {
	cutoff := now.Add(-ix.cfg.Retention)
	for ix.log.len() > 0 {
		e := ix.log.front()
		if ix.log.len() <= ix.cfg.MaxRules && !e.at.Before(cutoff) {
			return
		}
		ix.log.pop()
		ix.drop(e)
		ix.floor = max(ix.floor, e.seq)
	}
}

// drop removes the oldest rule of the list e names, and the list from its
// map once empty. ix.mu must be held for writing.
func (ix *Index) drop(e logEntry) {
	e.list.popFront(e.seq)
	if e.list.len() > 0 {
		return
	}
	switch {
	case e.byKey != nil && e.byKey[e.key] == e.list:
		delete(e.byKey, e.key)
	case e.byName != nil && e.byName[e.name] == e.list:
		delete(e.byName, e.name)
	}
}
