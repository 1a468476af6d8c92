package metrics

import (
	"fmt"
	"io"
)

// Counter writes a counter named name with its HELP and TYPE lines.
func Counter(w io.Writer, name, help string, v int64) {
	header(w, name, help, "counter")
	fmt.Fprintf(w, "%s %d\n", name, v)
}

// Labeled is one series of a family split by one label: the label's value
// and the series' value.
type Labeled struct {
	Label string
	Value int64
}

// Counters writes a counter family whose series differ in one label, such
// as requests_total{kind="api"}: HELP and TYPE once, then one line per
// series in the order given.
func Counters(w io.Writer, name, help, label string, series ...Labeled) {
	labeled(w, name, help, "counter", label, series)
}
