package purge

import (
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/metrics"
)

// Apply records when an edge applied one rule: from that moment its cache
// no longer serves what the rule covers.
type Apply struct {
	// Seq is the rule's stream sequence.
	Seq uint64 `json:"seq"`
	// Stored is when the stream stored the rule (the server's clock).
	Stored time.Time `json:"stored"`
	// Applied is when the edge applied it (the edge's clock).
	Applied time.Time `json:"applied"`
}

// appliesKept is how many of its newest applies a subscriber remembers.
const appliesKept = 1024

// applies is a ring of the newest applies, oldest first once full.
type applies struct {
	mu   sync.Mutex
	ring [appliesKept]Apply
	n    uint64 // applies recorded so far; the next goes to ring[n%appliesKept]
}

// add records a.
func (r *applies) add(a Apply) {
	r.mu.Lock()
	r.ring[r.n%appliesKept] = a
	r.n++
	r.mu.Unlock()
}

// since returns the remembered applies of sequences above seq, oldest
// first.
func (r *applies) since(seq uint64) []Apply {
	r.mu.Lock()
	defer r.mu.Unlock()
	lo := uint64(0)
	if r.n > appliesKept {
		lo = r.n - appliesKept
	}
	var out []Apply
	for i := lo; i < r.n; i++ {
		if a := r.ring[i%appliesKept]; a.Seq > seq {
			out = append(out, a)
		}
	}
	return out
}

// newApplyDelayHistogram is the histogram of stored → applied delays; its
// upper bounds are in seconds.
func newApplyDelayHistogram() *metrics.Histogram {
	return metrics.NewHistogram(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
}
