package bench

import (
	"strings"
	"testing"
)

func TestParseWrk(t *testing.T) {
	out := `Running 4s test @ http://127.0.0.1:1/x
  1 threads and 64 connections
@@ summary 400000 4000000000 4000000 3
@@ p 0 100
@@ p 50 450
@@ p 99 5910
@@ p 100 12000
`
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 400000 || r.Bytes != 4e9 || r.Seconds != 4 || r.Errors != 3 || r.RPS() != 100000 {
		t.Errorf("summary %+v", r)
	}
	if quantileOf(r.Percentiles, 0.99) != 5.91 || quantileOf(r.Percentiles, 1) != 12 {
		t.Errorf("percentiles %v", r.Percentiles)
	}
	for _, bad := range []string{"", "@@ summary 0 0 1 0\n", "@@ summary x 1 1 1\n", "@@ summary 1 1 1 0\n@@ p x 1\n"} {
		if _, err := parseWrk(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestWrkScript(t *testing.T) {
	plain := wrkScript(false)
	if strings.Contains(plain, "request =") || !strings.Contains(plain, "done = function") ||
		!strings.Contains(plain, "99.9, ") || !strings.Contains(plain, "latency:percentile(q)") {
		t.Errorf("report-only script:\n%s", plain)
	}
	if s := wrkScript(true); !strings.Contains(s, "request = function") || !strings.Contains(s, "io.lines(args[1])") {
		t.Errorf("replay script:\n%s", s)
	}
}
