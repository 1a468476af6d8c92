package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Report is one scenario's run: what was measured, how, on what machine,
// and with which command. It is written as markdown and JSON, with its
// charts beside them.
type Report struct {
	Scenario string    `json:"scenario"`
	Title    string    `json:"title"`
	Started  time.Time `json:"started"`
	Seconds  float64   `json:"seconds"` // wall time of the scenario
	Machine  Machine   `json:"machine"`
	Command  string    `json:"command"` // reproduces the run
	Method   string    `json:"method"`  // how it measures, in prose
	Params   []Param   `json:"params"`
	Tables   []Table   `json:"tables"` // the first is the headline
	Checks   []Check   `json:"checks"` // targets from the issues
	Charts   []Chart   `json:"charts"`
	Notes    []string  `json:"notes,omitempty"`
	Data     any       `json:"data"` // the scenario's raw figures
}

// Param is one setting of the run.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Table is a result table.
type Table struct {
	Title  string     `json:"title"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
	Detail bool       `json:"detail,omitempty"` // left out of summaries
	Text   bool       `json:"-"`                // every column is text: aligned left
	// Section, when set, puts the table under a heading of that name,
	// with the charts of the same section after it.
	Section string `json:"section,omitempty"`
}

// Check compares a figure with its target.
type Check struct {
	Name   string `json:"name"`
	Got    string `json:"got"`
	Target string `json:"target"`
	Pass   bool   `json:"pass"`
}

// Chart is an SVG drawn for the report.
type Chart struct {
	Name  string `json:"name"` // file name part, a slug
	Title string `json:"title"`
	File  string `json:"file"` // set when written
	SVG   []byte `json:"-"`
	// Section puts the chart after the tables of that section (Table.Section).
	Section string `json:"section,omitempty"`
}

// missed lists the checks that failed, with what they measured.
func (r *Report) missed() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Pass {
			out = append(out, c.Name+": "+c.Got+", target "+c.Target)
		}
	}
	return out
}

// param makes a Param with fmt.Sprint of v.
func param(name string, v any) Param { return Param{Name: name, Value: fmt.Sprint(v)} }

// check makes a Check.
func check(name, got, target string, pass bool) Check {
	return Check{Name: name, Got: got, Target: target, Pass: pass}
}

// stem is the file name a report's files start with: the run's start time
// and the scenario, such as 20261124-0312-hit.
func stem(stamp, scenario string) string { return stamp + "-" + scenario }

// runStamp formats a run's start time for file names.
func runStamp(t time.Time) string { return t.UTC().Format("20060102-1504") }

// write puts the report's charts, markdown and JSON into dir and returns
// the markdown's path.
func (r *Report) write(dir, stamp string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := stem(stamp, r.Scenario)
	for i := range r.Charts {
		c := &r.Charts[i]
		c.File = base + "-" + c.Name + ".svg"
		if err := os.WriteFile(filepath.Join(dir, c.File), c.SVG, 0o644); err != nil {
			return "", err
		}
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, base+".json"), append(js, '\n'), 0o644); err != nil {
		return "", err
	}
	md := filepath.Join(dir, base+".md")
	return md, os.WriteFile(md, []byte(r.markdown()), 0o644)
}

// markdown renders the whole report.
func (r *Report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# mediacdn bench: %s\n\n", r.Title)
	b.WriteString(r.Machine.markdown(r.Started, r.Seconds))
	fmt.Fprintf(&b, "\nReproduce: `%s`\n\n", r.Command)
	if r.Method != "" {
		fmt.Fprintf(&b, "%s\n\n", r.Method)
	}
	if len(r.Params) > 0 {
		parts := make([]string, len(r.Params))
		for i, p := range r.Params {
			parts[i] = p.Name + " " + p.Value
		}
		fmt.Fprintf(&b, "Settings: %s.\n\n", strings.Join(parts, "; "))
	}
	var sections []string
	for _, t := range r.Tables {
		if t.Section == "" {
			b.WriteString(t.markdown())
		} else if !slices.Contains(sections, t.Section) {
			sections = append(sections, t.Section)
		}
	}
	for _, sec := range sections {
		fmt.Fprintf(&b, "## %s\n\n", sec)
		for _, t := range r.Tables {
			if t.Section == sec {
				b.WriteString(t.markdown())
			}
		}
		for _, c := range r.Charts {
			if c.Section == sec {
				fmt.Fprintf(&b, "![%s](%s)\n\n", c.Title, c.File)
			}
		}
	}
	if len(sections) > 0 && len(r.Checks) > 0 {
		b.WriteString("## Targets\n\n")
	}
	b.WriteString(checksMarkdown(r.Checks, len(sections) == 0))
	for _, c := range r.Charts {
		if !slices.Contains(sections, c.Section) {
			fmt.Fprintf(&b, "![%s](%s)\n\n", c.Title, c.File)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	return b.String()
}

// markdown renders a table with its title.
func (t Table) markdown() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "**%s**\n\n", t.Title)
	}
	row := func(cells []string) {
		esc := make([]string, len(cells))
		for i, c := range cells {
			esc[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(esc, " | "))
	}
	row(t.Header)
	sep := make([]string, len(t.Header))
	for i := range sep {
		sep[i] = "---"
		if i > 0 && !t.Text {
			sep[i] = "---:"
		}
	}
	fmt.Fprintf(&b, "|%s|\n", strings.Join(sep, "|"))
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
	return b.String()
}

// checksMarkdown renders the checks as a table, with its title when
// titled (a sectioned report gives them a heading instead).
func checksMarkdown(cs []Check, titled bool) string {
	if len(cs) == 0 {
		return ""
	}
	t := Table{Header: []string{"check", "measured", "target", "met"}}
	if titled {
		t.Title = "Targets"
	}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Name, c.Got, c.Target, yesNo(c.Pass)})
	}
	return t.markdown()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// summaryMarkdown renders a multi-scenario run: each scenario's headline
// table and checks, with links to the full reports.
func summaryMarkdown(m Machine, started time.Time, seconds float64, command string, reports []*Report, files []string, failed []string) string {
	var b strings.Builder
	b.WriteString("# mediacdn bench: summary\n\n")
	b.WriteString(m.markdown(started, seconds))
	fmt.Fprintf(&b, "\nReproduce: `%s`\n\n", command)
	for i, r := range reports {
		fmt.Fprintf(&b, "## %s\n\n", r.Title)
		b.WriteString(r.digest())
		fmt.Fprintf(&b, "Full report: [%s](%s) (%.0f s)\n\n", filepath.Base(files[i]), filepath.Base(files[i]), r.Seconds)
	}
	for _, f := range failed {
		fmt.Fprintf(&b, "- failed: %s\n", f)
	}
	return b.String()
}

// digest is the report's tables (without detail tables) and checks.
func (r *Report) digest() string {
	var b strings.Builder
	for _, t := range r.Tables {
		if !t.Detail {
			b.WriteString(t.markdown())
		}
	}
	b.WriteString(checksMarkdown(r.Checks, true))
	return b.String()
}
