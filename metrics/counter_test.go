package metrics

import (
	"strings"
	"testing"
)

func TestCounter(t *testing.T) {
	var b strings.Builder
	Counter(&b, "x_requests_total", "Requests received.", 42)
	want := "# HELP x_requests_total Requests received.\n# TYPE x_requests_total counter\nx_requests_total 42\n"
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCounters(t *testing.T) {
	var b strings.Builder
	Counters(&b, "x_responses_total", "Responses by class.", "class",
		Labeled{"2xx", 7}, Labeled{"5xx", 0}, Labeled{`a"b\c` + "\n", 1})
	want := `# HELP x_responses_total Responses by class.
# TYPE x_responses_total counter
x_responses_total{class="2xx"} 7
x_responses_total{class="5xx"} 0
x_responses_total{class="a\"b\\c\n"} 1
`
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestHelpEscaped(t *testing.T) {
	var b strings.Builder
	Counter(&b, "x_total", "A back\\slash\nand a line.", 1)
	want := "# HELP x_total A back\\\\slash\\nand a line.\n# TYPE x_total counter\nx_total 1\n"
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
