package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkSpec is one wrk run against one URL, or against a replayed list of
// paths when PathsFile is set.
type wrkSpec struct {
	URL       string // http://host:port/path
	Conns     int
	Threads   int
	Duration  time.Duration
	PathsFile string // one path a line, requested in turn (via Lua)
	Dir       string // where the Lua script is written
}

// wrkResult is what wrk measured.
type wrkResult struct {
	Requests    int64
	Bytes       int64
	Seconds     float64
	Errors      int64 // connect, read, write, timeout and status >= 400
	Percentiles []Percentile
}

// RPS is requests per second.
func (r *wrkResult) RPS() float64 { return ratio(float64(r.Requests), r.Seconds) }

// wrkScript reports the run in lines starting with @@ (so the parse does
// not depend on wrk's human output); with paths, it also replays them. A
// script without a request function keeps wrk on its static fast path.
func wrkScript(withPaths bool) string {
	var b strings.Builder
	if withPaths {
		b.WriteString(`local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format(nil, paths[i])
end
`)
	}
	qs := make([]string, 0, len(cdfQuantiles()))
	for _, q := range cdfQuantiles() {
		qs = append(qs, strconv.FormatFloat(q*100, 'g', -1, 64))
	}
	fmt.Fprintf(&b, `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("@@ summary %%d %%d %%d %%d\n", summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
  for _, q in ipairs({%s}) do
    io.write(string.format("@@ p %%g %%d\n", q, latency:percentile(q)))
  end
end
`, strings.Join(qs, ", "))
	return b.String()
}

// runWrk runs wrk and parses its report.
func runWrk(ctx context.Context, s wrkSpec) (*wrkResult, error) {
	script := filepath.Join(s.Dir, "report.lua")
	if s.PathsFile != "" {
		script = filepath.Join(s.Dir, "replay.lua")
	}
	if err := os.WriteFile(script, []byte(wrkScript(s.PathsFile != "")), 0o644); err != nil {
		return nil, err
	}
	args := []string{"-t" + strconv.Itoa(max(s.Threads, 1)), "-c" + strconv.Itoa(s.Conns),
		"-d" + strconv.Itoa(max(int(s.Duration.Seconds()), 1)) + "s", "--timeout", "5s", "-s", script, s.URL}
	if s.PathsFile != "" {
		args = append(args, "--", s.PathsFile)
	}
	ctx, cancel := context.WithTimeout(ctx, s.Duration+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("wrk: %w: %s", err, tail(string(out), 400))
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, tail(string(out), 400))
	}
	return r, nil
}

// parseWrk reads the @@ lines of wrkScript.
func parseWrk(out string) (*wrkResult, error) {
	r := &wrkResult{}
	sc := bufio.NewScanner(strings.NewReader(out))
	seen := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "@@" {
			continue
		}
		switch {
		case f[1] == "summary" && len(f) == 6:
			var us int64
			for i, dst := range []*int64{&r.Requests, &r.Bytes, &us, &r.Errors} {
				v, err := strconv.ParseInt(f[2+i], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("wrk: bad summary line %q", sc.Text())
				}
				*dst = v
			}
			r.Seconds = float64(us) / 1e6
			seen = true
		case f[1] == "p" && len(f) == 4:
			q, err1 := strconv.ParseFloat(f[2], 64)
			us, err2 := strconv.ParseFloat(f[3], 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("wrk: bad percentile line %q", sc.Text())
			}
			r.Percentiles = append(r.Percentiles, Percentile{Q: q / 100, Ms: us / 1000})
		}
	}
	if !seen || r.Requests == 0 {
		return nil, fmt.Errorf("wrk: no requests completed")
	}
	return r, nil
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
