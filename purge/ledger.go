package purge

import "sync"

// Ledger maps invalidation ids to their stream sequences on the origin
// side, remembering the newest Max of them. It is safe for concurrent use.
type Ledger struct {
	max int

	mu sync.Mutex
	// seqs and order, guarded by mu: the ids and their insertion order (a
	// ring of max slots, next is the oldest).
	seqs  map[string]uint64
	order []string
	next  int
	// last, guarded by mu: the highest sequence recorded.
	last uint64
}

// NewLedger returns a ledger remembering max ids (zero means 100,000).
func NewLedger(max int) *Ledger {
	if max <= 0 {
		max = 100_000
	}
	return &Ledger{max: max, seqs: map[string]uint64{}}
}

// Record remembers that invalidation id has sequence seq.
func (l *Ledger) Record(id string, seq uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = max(l.last, seq)
	if _, ok := l.seqs[id]; ok {
		l.seqs[id] = seq
		return
	}
	if len(l.order) < l.max {
		l.order = append(l.order, id)
	} else {
		delete(l.seqs, l.order[l.next])
		l.order[l.next] = id
		l.next = (l.next + 1) % l.max
	}
	l.seqs[id] = seq
}

// Seq returns the sequence of invalidation id, if remembered.
func (l *Ledger) Seq(id string) (uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seq, ok := l.seqs[id]
	return seq, ok
}

// Last returns the highest sequence recorded (0 when none).
func (l *Ledger) Last() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}
