package edge

// Which origin fills a key: rendezvous (highest-random-weight) hashing.
// Every origin gets a score for the key, a hash of the key's hash and the
// origin's own; the key goes to the highest-scoring healthy origin, and to
// the next in that ranking when it is out.
//
// Rendezvous rather than round-robin (or least-loaded) because the choice
// depends only on the key and the origins' addresses, not on this edge's
// history: every edge sends one URL to the same origin, so the origin's
// once-per-key coalescing of fills dedups a URL's misses across all the
// edges, and each derived file is made, stored and kept warm by one origin.
// Round-robin would make every origin transform the same new URL as the
// edges' misses arrive. Keys spread evenly over the origins, the order the
// origins are listed in does not matter, and when an origin goes out only
// its own keys move (to their second choice); the others stay put, and
// come back to it when it does.

// fnv64 is the FNV-1a hash of b.
func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// mix64 scrambles x (the finaliser of MurmurHash3): a key's hash and an
// origin's seed combined by XOR become a well-spread score.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb93e53ca3e63
	x ^= x >> 33
	return x
}

// rankStack is how many origins rank sorts without allocating.
const rankStack = 16

// rank appends to dst the indices of og.list ordered by their score for
// key, highest first: the key's first choice, then its fallbacks.
func (og *origins) rank(dst []int, key []byte) []int {
	h := fnv64(key)
	var stack [rankStack]uint64
	scores := stack[:0]
	if len(og.list) > rankStack {
		scores = make([]uint64, 0, len(og.list))
	}
	base := len(dst)
	for i, o := range og.list {
		s := mix64(h ^ o.seed)
		// Insertion sort: the lists are short.
		j := len(scores)
		scores = append(scores, s)
		dst = append(dst, i)
		for ; j > 0 && scores[j-1] < s; j-- {
			scores[j], dst[base+j] = scores[j-1], dst[base+j-1]
		}
		scores[j], dst[base+j] = s, i
	}
	return dst
}
