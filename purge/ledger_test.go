package purge

import "testing"

// Last is the highest sequence recorded, also once its id has been
// forgotten or re-recorded lower.
func TestLedgerLast(t *testing.T) {
	l := NewLedger(2)
	if l.Last() != 0 {
		t.Fatalf("empty ledger: %d", l.Last())
	}
	l.Record("a", 5)
	l.Record("b", 9)
	l.Record("a", 7)
	l.Record("c", 8) // forgets a, the oldest
	if _, ok := l.Seq("a"); ok {
		t.Fatal("a still remembered past max")
	}
	if l.Last() != 9 {
		t.Fatalf("Last = %d, want 9", l.Last())
	}
}
