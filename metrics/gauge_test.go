package metrics

import (
	"strings"
	"testing"
)

func TestGauge(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{0.25, "0.25"},
		{-3, "-3"},
		{1 << 30, "1.073741824e+09"}, // %g, as the edge has always written
	} {
		var b strings.Builder
		Gauge(&b, "x_bytes", "Bytes held.", c.v)
		want := "# HELP x_bytes Bytes held.\n# TYPE x_bytes gauge\nx_bytes " + c.want + "\n"
		if got := b.String(); got != want {
			t.Errorf("Gauge(%v): got\n%s\nwant\n%s", c.v, got, want)
		}
	}
}

func TestGauges(t *testing.T) {
	var b strings.Builder
	Gauges(&b, "x_up", "1 when up.", "origin", Labeled{"a:1", 1}, Labeled{`b"2`, 0})
	want := "# HELP x_up 1 when up.\n# TYPE x_up gauge\nx_up{origin=\"a:1\"} 1\nx_up{origin=\"b\\\"2\"} 0\n"
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
