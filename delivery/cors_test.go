package delivery

import "testing"

// A preflight's requested headers are echoed when they are a well-formed
// list of header names, else left out.
func TestAllowHeaders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ requested, want string }{
		{"", ""},
		{"x-requested-with", "x-requested-with"},
		{"Range, X-Custom,content-type", "Range, X-Custom,content-type"},
		{" , x-a ,", " , x-a ,"},
		{",", ""},
		{"bad header", ""},
		{"x-a\r\nx-b", ""},
		{"x-a;b", ""},
		{string(make([]byte, 2000)), ""},
	} {
		if got := AllowHeaders(c.requested); got != c.want {
			t.Errorf("AllowHeaders(%q) = %q, want %q", c.requested, got, c.want)
		}
	}
}
