package metrics

import (
	"fmt"
	"io"
)

// Gauge writes a gauge named name with its HELP and TYPE lines.
func Gauge(w io.Writer, name, help string, v float64) {
	header(w, name, help, "gauge")
	fmt.Fprintf(w, "%s %g\n", name, v)
}

// Gauges writes a gauge family whose series differ in one label, such as
// origin_up{origin="10.0.0.1:8081"}: HELP and TYPE once, then one line per
// series in the order given.
func Gauges(w io.Writer, name, help, label string, series ...Labeled) {
	labeled(w, name, help, "gauge", label, series)
}
