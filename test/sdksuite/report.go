package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// baselineEntry is a test expected to fail, and the one-word cause.
type baselineEntry struct {
	Package, Test, Cause, Note string
}

// baselineSet is keyed by "package test".
type baselineSet map[string]baselineEntry

const (
	defaultBaseline     = "test/sdksuite/baseline.txt"
	defaultNodeBaseline = "test/sdksuite/node-baseline.txt"
)

// loadBaseline reads -baseline: "" is the built-in test/sdksuite/baseline.txt
// (node-baseline.txt with -sdk node), "off" none.
func loadBaseline(name, sdk string) (baselineSet, string, error) {
	switch name {
	case "off":
		return nil, "", nil
	case "":
		def, src := defaultBaseline, baselineTxt
		if sdk == "node" {
			def, src = defaultNodeBaseline, nodeBaselineTxt
		}
		b, err := parseBaseline(string(src))
		if err != nil {
			return nil, "", fmt.Errorf("%s (built in): %w", def, err)
		}
		return b, def, nil
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, "", err
	}
	b, err := parseBaseline(string(src))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", name, err)
	}
	return b, name, nil
}

// parseBaseline reads lines "package test cause [# note]"; # starts a
// comment. The test is every field between the first and the last: a
// mocha full title has spaces (runs of them count as one).
func parseBaseline(src string) (baselineSet, error) {
	set := baselineSet{}
	for i, line := range strings.Split(src, "\n") {
		text, note, _ := strings.Cut(line, " #")
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			text, note = "", ""
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 {
			return nil, fmt.Errorf("line %d: want <package> <test> <cause> [# note], not %q", i+1, line)
		}
		test := strings.Join(f[1:len(f)-1], " ")
		key := f[0] + " " + test
		if _, dup := set[key]; dup {
			return nil, fmt.Errorf("line %d: %s %s is listed twice", i+1, f[0], test)
		}
		set[key] = baselineEntry{Package: f[0], Test: test, Cause: f[len(f)-1], Note: strings.TrimSpace(note)}
	}
	return set, nil
}

// report is a run's outcome: what the text summary, the markdown and the
// JSON say.
type report struct {
	SDK           string // go or node
	Begun         time.Time
	Took          time.Duration
	SDKVersion    string
	Mediacdn      string
	CloudinaryURL string
	Aside         []string
	Filtered      bool // -pkg or -run: baseline entries outside the run are not missing
	Flags         string
	Results       results
	Baseline      baselineSet `json:"-"`
	BaselineName  string      `json:",omitempty"`
	Comparison    *comparison `json:",omitempty"`
}

// comparison is the run against the baseline.
type comparison struct {
	Expected     int   // entries in the baseline (in this run's selection, with -pkg or -run)
	StillFailing int   // of them, failing (or not run) again
	NewlyFailing []ref // failing or not run, not in the baseline
	NewlyPassing []ref // in the baseline, passing now
	NowSkipped   []ref // in the baseline, skipped now
	Missing      []ref // in the baseline, not in the SDK's suite any more
}

type ref struct {
	Package, Test, Status, Cause, Message string
}

func (pr packageResult) counts() map[string]int {
	c := map[string]int{}
	for _, t := range pr.Tests {
		c[t.Status]++
	}
	return c
}

func (r *report) totals() (tests int, c map[string]int) {
	c = map[string]int{}
	for _, p := range r.Results.Packages {
		tests += len(p.Tests)
		for k, v := range p.counts() {
			c[k] += v
		}
	}
	return tests, c
}

func (r *report) cause(pkg, test string) string {
	if e, ok := r.Baseline[pkg+" "+test]; ok {
		return e.Cause
	}
	return ""
}

func (r *report) compare() {
	if r.Baseline == nil {
		return
	}
	c := &comparison{}
	seen := map[string]bool{}
	for _, p := range r.Results.Packages {
		for _, t := range p.Tests {
			key := p.Rel + " " + t.Name
			seen[key] = true
			e, expected := r.Baseline[key]
			if expected {
				c.Expected++
			}
			x := ref{Package: p.Rel, Test: t.Name, Status: t.Status, Cause: e.Cause, Message: t.Message}
			switch {
			case expected && (t.Status == statusFail || t.Status == statusNotRun):
				c.StillFailing++
			case expected && t.Status == statusPass:
				c.NewlyPassing = append(c.NewlyPassing, x)
			case expected && t.Status == statusSkip:
				c.NowSkipped = append(c.NowSkipped, x)
			case !expected && (t.Status == statusFail || t.Status == statusNotRun):
				c.NewlyFailing = append(c.NewlyFailing, x)
			}
		}
	}
	if !r.Filtered {
		c.Expected = len(r.Baseline)
		for key, e := range r.Baseline {
			if !seen[key] {
				c.Missing = append(c.Missing, ref{Package: e.Package, Test: e.Test, Cause: e.Cause})
			}
		}
		sort.Slice(c.Missing, func(i, j int) bool {
			a, b := c.Missing[i], c.Missing[j]
			return a.Package < b.Package || a.Package == b.Package && a.Test < b.Test
		})
	}
	r.Comparison = c
}

// failing lists the failing and not-run tests, package by package.
func (r *report) failing() []ref {
	var out []ref
	for _, p := range r.Results.Packages {
		for _, t := range p.Tests {
			if t.Status == statusFail || t.Status == statusNotRun {
				msg := t.Message
				if t.Panic != "" && msg != t.Panic {
					msg += " (then " + t.Panic + ")"
				}
				out = append(out, ref{Package: p.Rel, Test: t.Name, Status: t.Status, Cause: r.cause(p.Rel, t.Name), Message: msg})
			}
		}
	}
	return out
}

func (r *report) skipped() []ref {
	var out []ref
	for _, p := range r.Results.Packages {
		for _, t := range p.Tests {
			if t.Status == statusSkip {
				out = append(out, ref{Package: p.Rel, Test: t.Name, Status: t.Status, Message: t.Message})
			}
		}
	}
	return out
}

func (r *report) headline() string {
	if r.SDK == "node" {
		return fmt.Sprintf("Node SDK cloudinary %s against mediacdn (%s)", r.SDKVersion, r.Mediacdn)
	}
	return fmt.Sprintf("Go SDK %s %s against mediacdn (%s)", sdkModule, r.SDKVersion, r.Mediacdn)
}

// writeText is the summary printed at the end of a run.
func (r *report) writeText(w io.Writer) {
	fmt.Fprintf(w, "\n%s, %s\n\n", r.headline(), r.Took.Round(time.Second))
	width := 22 // the package column: a spec file's path is longer
	for _, p := range r.Results.Packages {
		width = max(width, len(p.Rel))
	}
	fmt.Fprintf(w, "%-*s %6s %5s %5s %5s %8s %10s\n", width, "package", "tests", "pass", "fail", "skip", "not run", "processes")
	for _, p := range r.Results.Packages {
		c := p.counts()
		fmt.Fprintf(w, "%-*s %6d %5d %5d %5d %8d %10d\n", width, p.Rel, len(p.Tests), c[statusPass], c[statusFail], c[statusSkip], c[statusNotRun], p.Runs)
	}
	n, c := r.totals()
	fmt.Fprintf(w, "%-*s %6d %5d %5d %5d %8d\n", width, "all", n, c[statusPass], c[statusFail], c[statusSkip], c[statusNotRun])
	if r.Results.MediacdnExit != "" {
		fmt.Fprintf(w, "\nmediacdn ended during the run: %s (see mediacdn.log)\n", r.Results.MediacdnExit)
	}
	if r.Results.Incomplete != "" {
		fmt.Fprintf(w, "\nincomplete: %s\n", r.Results.Incomplete)
	}
	if f := r.failing(); len(f) > 0 {
		fmt.Fprintf(w, "\nfailing (%d), with the first error line [and the baseline's cause]:\n", len(f))
		for _, x := range f {
			fmt.Fprintf(w, "  %-14s %-44s %s%s\n", x.Package, x.Test+notRunMark(x.Status), bracket(x.Cause), x.Message)
		}
	}
	if s := r.skipped(); len(s) > 0 {
		fmt.Fprintf(w, "\nskipped (%d):\n", len(s))
		for _, x := range s {
			fmt.Fprintf(w, "  %-14s %-44s %s\n", x.Package, x.Test, x.Message)
		}
	}
	c2 := r.Comparison
	if c2 == nil {
		return
	}
	fmt.Fprintf(w, "\nagainst %s (%d expected to fail): %d still fail, %d newly fail, %d newly pass",
		r.BaselineName, c2.Expected, c2.StillFailing, len(c2.NewlyFailing), len(c2.NewlyPassing))
	if len(c2.NowSkipped) > 0 {
		fmt.Fprintf(w, ", %d now skipped", len(c2.NowSkipped))
	}
	if len(c2.Missing) > 0 {
		fmt.Fprintf(w, ", %d no longer in the suite", len(c2.Missing))
	}
	fmt.Fprintln(w)
	for _, l := range []struct {
		title string
		refs  []ref
	}{{"newly failing", c2.NewlyFailing}, {"newly passing", c2.NewlyPassing}, {"now skipped", c2.NowSkipped}, {"no longer in the suite", c2.Missing}} {
		for _, x := range l.refs {
			fmt.Fprintf(w, "  %-22s %-14s %s %s\n", l.title, x.Package, x.Test, bracket(x.Cause))
		}
	}
}

func bracket(cause string) string {
	if cause == "" {
		return ""
	}
	return "[" + cause + "] "
}

func notRunMark(status string) string {
	if status == statusNotRun {
		return " (not run)"
	}
	return ""
}

// writeMarkdown is the report file.
func (r *report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	if r.SDK == "node" {
		fmt.Fprintf(&b, "# Node SDK suite against mediacdn, %s\n\n", r.Begun.Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(&b, "The integration specs of the Node SDK cloudinary %s (its repository at that tag, commit %s; mocha without retries) ", r.SDKVersion, nodeSDKCommit[:12])
		fmt.Fprintf(&b, "run against `mediacdn dev` (%s) in a loopback-only network namespace, with `CLOUDINARY_URL=%s`, by `make node-suite` (test/sdksuite -sdk node). ", r.Mediacdn, r.CloudinaryURL)
	} else {
		fmt.Fprintf(&b, "# Go SDK suite against mediacdn, %s\n\n", r.Begun.Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(&b, "The end-to-end tests of `%s` %s (its `*_acceptance_test.go`, which test against mock servers, set aside: %d files) ", sdkModule, r.SDKVersion, len(r.Aside))
		fmt.Fprintf(&b, "run against `mediacdn dev` (%s) in a loopback-only network namespace, with `CLOUDINARY_URL=%s`, by `make sdk-suite` (test/sdksuite). ", r.Mediacdn, r.CloudinaryURL)
	}
	fmt.Fprintf(&b, "Took %s.", r.Took.Round(time.Second))
	if r.Flags != "" {
		fmt.Fprintf(&b, " Flags: `%s`.", r.Flags)
	}
	b.WriteString("\n\n")
	if r.Results.MediacdnExit != "" {
		fmt.Fprintf(&b, "**mediacdn ended during the run:** %s (see mediacdn.log).\n\n", mdEscape(r.Results.MediacdnExit))
	}
	if r.Results.Incomplete != "" {
		fmt.Fprintf(&b, "**Incomplete:** %s.\n\n", mdEscape(r.Results.Incomplete))
	}
	b.WriteString("| package | tests | pass | fail | skip | not run | processes |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, p := range r.Results.Packages {
		c := p.counts()
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %d | %d | %d |\n", p.Rel, len(p.Tests), c[statusPass], c[statusFail], c[statusSkip], c[statusNotRun], p.Runs)
	}
	n, c := r.totals()
	fmt.Fprintf(&b, "| **all** | **%d** | **%d** | **%d** | **%d** | **%d** | |\n\n", n, c[statusPass], c[statusFail], c[statusSkip], c[statusNotRun])
	b.WriteString("A process runs the tests a panic in an earlier one kept from running; `processes` counts them.\n\n")
	if cmp := r.Comparison; cmp != nil {
		fmt.Fprintf(&b, "## Against the baseline\n\n`%s` lists %d tests expected to fail: %d still fail, %d newly fail, %d newly pass",
			r.BaselineName, cmp.Expected, cmp.StillFailing, len(cmp.NewlyFailing), len(cmp.NewlyPassing))
		if len(cmp.NowSkipped) > 0 {
			fmt.Fprintf(&b, ", %d are skipped now", len(cmp.NowSkipped))
		}
		if len(cmp.Missing) > 0 {
			fmt.Fprintf(&b, ", %d are no longer in the suite", len(cmp.Missing))
		}
		b.WriteString(".\n\n")
		for _, l := range []struct {
			title string
			refs  []ref
		}{{"Newly failing", cmp.NewlyFailing}, {"Newly passing", cmp.NewlyPassing}, {"Now skipped", cmp.NowSkipped}, {"No longer in the suite", cmp.Missing}} {
			if len(l.refs) == 0 {
				continue
			}
			fmt.Fprintf(&b, "%s:\n\n", l.title)
			for _, x := range l.refs {
				fmt.Fprintf(&b, "- `%s` %s%s\n", x.Package, x.Test, mdCause(x.Cause))
			}
			b.WriteString("\n")
		}
	}
	if f := r.failing(); len(f) > 0 {
		fmt.Fprintf(&b, "## Failing (%d)\n\n| package | test | cause (baseline) | first error line |\n|---|---|---|---|\n", len(f))
		for _, x := range f {
			fmt.Fprintf(&b, "| `%s` | %s%s | %s | %s |\n", x.Package, x.Test, notRunMark(x.Status), x.Cause, mdCode(x.Message))
		}
		b.WriteString("\n")
	}
	if s := r.skipped(); len(s) > 0 {
		fmt.Fprintf(&b, "## Skipped (%d)\n\n| package | test | reason |\n|---|---|---|\n", len(s))
		for _, x := range s {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", x.Package, x.Test, mdCode(x.Message))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCause(cause string) string {
	if cause == "" {
		return ""
	}
	return " (" + cause + ")"
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// mdCode puts a message in a table cell as code.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`` " + strings.ReplaceAll(s, "|", `\|`) + " ``"
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(r)
}
