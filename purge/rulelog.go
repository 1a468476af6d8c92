package purge

import "time"

// ruleList is a list of rules in sequence order, oldest first. It is a
// queue: rules are pushed at the back and dropped from the front. The
// owner's lock guards it.
type ruleList struct {
	rules []*Rule
	head  int // rules[:head] are dropped
}

func (l *ruleList) len() int { return len(l.rules) - l.head }

func (l *ruleList) push(r *Rule) { l.rules = append(l.rules, r) }

// popFront drops the oldest rule if its sequence is seq, and compacts the
// backing array once half of it is dropped.
func (l *ruleList) popFront(seq uint64) {
	if l.len() == 0 || l.rules[l.head].Seq != seq {
		return
	}
	l.rules[l.head] = nil
	l.head++
	if l.head == len(l.rules) {
		l.rules, l.head = l.rules[:0], 0
	} else if l.head >= 32 && l.head*2 >= len(l.rules) {
		n := copy(l.rules, l.rules[l.head:])
		clear(l.rules[n:])
		l.rules, l.head = l.rules[:n], 0
	}
}

// anyMatch reports whether a rule newer than since matches t, looking from
// the newest rule back.
func (l *ruleList) anyMatch(t *Target, since uint64) bool {
	for i := len(l.rules) - 1; i >= l.head; i-- {
		r := l.rules[i]
		if r.Seq <= since {
			return false
		}
		if r.Matches(t) {
			return true
		}
	}
	return false
}

// newest returns the sequence of the newest rule, 0 when empty.
func (l *ruleList) newest() uint64 {
	if l.len() == 0 {
		return 0
	}
	return l.rules[len(l.rules)-1].Seq
}

// logEntry records where a kept rule lives, for retention: its list, and
// the map entry (byKey[key] or byName[name]) that holds the list, if any.
type logEntry struct {
	seq    uint64
	at     time.Time // when it was applied
	list   *ruleList
	byKey  map[uint64]*ruleList
	key    uint64
	byName map[string]*ruleList
	name   string
}

// ruleLog is every kept rule in sequence order, oldest first. The index's
// lock guards it.
type ruleLog struct {
	entries []logEntry
	head    int
}

func (g *ruleLog) len() int { return len(g.entries) - g.head }

func (g *ruleLog) push(e logEntry) { g.entries = append(g.entries, e) }

func (g *ruleLog) front() logEntry { return g.entries[g.head] }

func (g *ruleLog) pop() {
	g.entries[g.head] = logEntry{}
	g.head++
	if g.head == len(g.entries) {
		g.entries, g.head = g.entries[:0], 0
	} else if g.head >= 1024 && g.head*2 >= len(g.entries) {
		n := copy(g.entries, g.entries[g.head:])
		clear(g.entries[n:])
		g.entries, g.head = g.entries[:n], 0
	}
}
