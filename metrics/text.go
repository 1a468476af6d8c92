package metrics

import (
	"fmt"
	"io"
	"strings"
)

// header writes a family's HELP and TYPE lines.
func header(w io.Writer, name, help, typ string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// labeled writes a family whose series differ in one label: HELP and TYPE
// once, then one line per series in the order given.
func labeled(w io.Writer, name, help, typ, label string, series []Labeled) {
	header(w, name, help, typ)
	for _, s := range series {
		fmt.Fprintf(w, "%s{%s=\"%s\"} %d\n", name, label, escapeLabel(s.Label), s.Value)
	}
}

// escapeHelp escapes a backslash and a line feed, as HELP text requires.
func escapeHelp(s string) string {
	if !strings.ContainsAny(s, "\\\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// escapeLabel escapes a backslash, a double quote and a line feed, as a
// label value requires.
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
