package origin

import "testing"

// Indexed array parameters are signed in the order they were sent: the
// Go SDK sends public_ids[0], public_ids[1], … and signs a,b,missing.
// (The keys used to be gathered from a map, so the order, and with it the
// signature, changed from one request to the next.)
func TestStringToSignKeepsArrayOrder(t *testing.T) {
	for range 50 {
		p := newParams()
		for _, kv := range [][2]string{{"command", "add"}, {"public_ids[0]", "a"}, {"public_ids[1]", "b"},
			{"public_ids[2]", "missing"}, {"tag", "cat"}, {"timestamp", "1795509525"}, {"api_key", "k"}} {
			p.add(kv[0], kv[1])
		}
		const want = "command=add&public_ids=a,b,missing&tag=cat&timestamp=1795509525"
		if got := p.stringToSign(false); got != want {
			t.Fatalf("string to sign %q, want %q", got, want)
		}
	}
}
