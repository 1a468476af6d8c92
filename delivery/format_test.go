package delivery

import "testing"

// FormatOf reads the delivered format from a Content-Type.
func TestFormatOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ct   string
		want Format
	}{
		{"image/jpeg", JPG}, {"image/webp", WebP}, {"IMAGE/PNG; charset=x", PNG}, {"image/avif", AVIF},
		{"application/octet-stream", FormatNone}, {"", FormatNone},
	} {
		if got := FormatOf(c.ct); got != c.want {
			t.Errorf("FormatOf(%q) = %v, want %v", c.ct, got, c.want)
		}
	}
}
