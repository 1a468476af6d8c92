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
