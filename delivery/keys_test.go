package delivery

import "testing"

func TestLookupKeyCoversEveryKey(t *testing.T) {
	t.Parallel()
	for k := KeyAngle; k < KeyVariable; k++ {
		if got := lookupKey(k.String()); got != k {
			t.Errorf("lookupKey(%q) = %v, want %v", k.String(), got, k)
		}
	}
	if lookupKey("$width") != KeyVariable || lookupKey("$") != KeyNone || lookupKey("zz") != KeyNone {
		t.Error("variables and unknown keys")
	}
}
