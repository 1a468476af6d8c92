package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testReport() *Report {
	return &Report{
		Scenario: "hit", Title: "hit: test", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Seconds: 12,
		Machine: Machine{CPU: "Test CPU", Cores: 2, MemoryGiB: 8, OS: "Debian", Kernel: "6.1", Go: "go1.26",
			Commit: "abc123+dirty", Tools: map[string]string{"nginx": "nginx version: nginx/1.22.1", "wrk": "wrk 4.1.0 [epoll]"}},
		Command: "mediacdn bench hit", Method: "How it works.",
		Params: []Param{param("connections", 64)},
		Tables: []Table{{Title: "Main", Header: []string{"a", "b|c"}, Rows: [][]string{{"1", "x|y"}}},
			{Title: "Rounds", Detail: true, Header: []string{"r"}, Rows: [][]string{{"1"}}}},
		Checks: []Check{check("fast", "2×", "≥ 1×", true), check("small", "3", "< 2", false)},
		Charts: []Chart{{Name: "latency", Title: "Latency", SVG: []byte("<svg/>")}},
		Notes:  []string{"a note"},
		Data:   map[string]int{"requests": 5},
	}
}

func TestReportMarkdown(t *testing.T) {
	md := testReport().markdown()
	for _, want := range []string{"# mediacdn bench: hit: test", "Test CPU, 2 cores", "nginx 1.22.1", "wrk 4.1.0",
		"commit abc123+dirty", "2026-01-02 03:04 UTC", "Reproduce: `mediacdn bench hit`", "Settings: connections 64.",
		`| a | b\|c |`, `| 1 | x\|y |`, "|---|---:|", "| fast | 2× | ≥ 1× | yes |", "| small | 3 | < 2 | **no** |",
		"**Rounds**", "- a note"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	d := testReport().digest()
	if strings.Contains(d, "Rounds") || !strings.Contains(d, "Main") || !strings.Contains(d, "Targets") {
		t.Errorf("digest should hold the main tables and checks, not detail ones:\n%s", d)
	}
}

// Sectioned tables come under their heading, each section's charts after
// its tables; charts of no section come after the checks.
func TestReportSections(t *testing.T) {
	r := testReport()
	r.Tables = append(r.Tables, Table{Title: "One", Section: "Part 1", Header: []string{"a"}},
		Table{Title: "Two", Section: "Part 2", Header: []string{"b"}}, Table{Title: "One more", Section: "Part 1", Header: []string{"c"}})
	r.Charts = append(r.Charts, Chart{Name: "p2", Title: "Chart two", File: "two.svg", Section: "Part 2"},
		Chart{Name: "p1", Title: "Chart one", File: "one.svg", Section: "Part 1"})
	r.Charts[0].File = "latency.svg"
	md := r.markdown()
	order := []string{"**Main**", "## Part 1", "**One**", "**One more**", "![Chart one](one.svg)", "## Part 2", "**Two**",
		"![Chart two](two.svg)", "## Targets\n\n| check |", "| fast |", "![Latency](latency.svg)", "- a note"}
	at := 0
	for _, want := range order {
		i := strings.Index(md[at:], want)
		if i < 0 {
			t.Fatalf("markdown lacks %q after position %d:\n%s", want, at, md)
		}
		at += i + len(want)
	}
}

func TestReportWrite(t *testing.T) {
	dir := t.TempDir()
	r := testReport()
	md, err := r.write(dir, "20260102-0304")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(md) != "20260102-0304-hit.md" {
		t.Errorf("markdown file %s", md)
	}
	b, err := os.ReadFile(filepath.Join(dir, "20260102-0304-hit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["scenario"] != "hit" || back["machine"].(map[string]any)["cores"] != 2.0 {
		t.Errorf("json: %v", back)
	}
	if _, err := os.Stat(filepath.Join(dir, "20260102-0304-hit-latency.svg")); err != nil {
		t.Error(err)
	}
	mdText, _ := os.ReadFile(md)
	if !strings.Contains(string(mdText), "![Latency](20260102-0304-hit-latency.svg)") {
		t.Errorf("chart link missing:\n%s", mdText)
	}
	sum := summaryMarkdown(r.Machine, r.Started, 30, "mediacdn bench all", []*Report{r}, []string{md}, []string{"soak: boom"})
	for _, want := range []string{"# mediacdn bench: summary", "## hit: test", "[20260102-0304-hit.md](20260102-0304-hit.md)", "- failed: soak: boom"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

func TestScenarioCommand(t *testing.T) {
	for in, want := range map[string]string{
		"mediacdn bench -transforms=3000 all":  "mediacdn bench -transforms=3000 purge",
		"mediacdn bench -rounds=2 hit compare": "mediacdn bench -rounds=2 purge",
		"mediacdn bench":                       "mediacdn bench purge",
		"":                                     "mediacdn bench purge",
	} {
		if got := scenarioCommand(in, "purge"); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestTrimVersion(t *testing.T) {
	for in, want := range map[string]string{
		"nginx version: nginx/1.22.1":               "1.22.1",
		"wrk 4.1.0 [epoll] Copyright (C) 2012 Will": "4.1.0",
		"wrk debian/4.1.0-3+b2 [epoll] Copyright":   "4.1.0",
		"varnishd (varnish-7.1.1 revision 7cee1c5)": "7.1.1",
		"8.14.1": "8.14.1",
	} {
		if got := trimVersion(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
