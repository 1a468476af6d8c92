package delivery

import (
	"reflect"
	"testing"
)

// The access header reads back what it wrote; anything else reads as
// "token only".
func TestAccessHeader(t *testing.T) {
	a := Access{Windows: []Window{{Start: 10, End: 20}, {Start: 30}, {End: 5}}}
	s := a.String()
	if s != "token anonymous=10-20 anonymous=30- anonymous=-5" {
		t.Fatalf("String: %q", s)
	}
	if got := ParseAccess(s); !reflect.DeepEqual(got, a) {
		t.Fatalf("ParseAccess(%q) = %+v", s, got)
	}
	for now, want := range map[int64]bool{4: true, 5: false, 10: true, 19: true, 20: false, 29: false, 30: true} {
		if got := a.Anonymous(now); got != want {
			t.Errorf("Anonymous(%d) = %v", now, got)
		}
	}
	for _, bad := range []string{"", "token anonymous=1", "token anonymous=x-2", "public", "token foo=1-2"} {
		if got := ParseAccess(bad); len(got.Windows) != 0 {
			t.Errorf("ParseAccess(%q) = %+v", bad, got)
		}
	}
}

// FuzzParseAccess: any header value reads without a panic, and what it
// reads writes back to a value that reads the same.
func FuzzParseAccess(f *testing.F) {
	f.Add("token anonymous=10-20 anonymous=30-")
	f.Add("token anonymous=-")
	f.Add("token x")
	f.Fuzz(func(t *testing.T, s string) {
		a := ParseAccess(s)
		b := ParseAccess(a.String())
		if !reflect.DeepEqual(a.Windows, b.Windows) && !(len(a.Windows) == 0 && len(b.Windows) == 0) {
			t.Fatalf("%q: %+v, then %+v", s, a, b)
		}
	})
}
