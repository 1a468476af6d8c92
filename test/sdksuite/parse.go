package main

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parsedOutput is what one process of a test binary (-test.v) said about
// its top-level tests; subtests count towards their top-level test.
type parsedOutput struct {
	tests   []*testResult // in the order they started; Status "" if they did not end
	byName  map[string]*testResult
	started []string
}

var (
	// === RUN, CONT, NAME and PAUSE say whose output follows.
	startLine = regexp.MustCompile(`^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)`)
	endLine   = regexp.MustCompile(`^(\s*)--- (PASS|FAIL|SKIP): (\S+) \(([0-9.]+)s\)`)
	// t.Error, t.Log, t.Skip: "    file_test.go:12: message".
	fileLine = regexp.MustCompile(`^\s+(\S+\.go:\d+):(?: (.*))?$`)
	// testify's assertion blocks: "\tError:      \tNot equal: " and
	// continuation lines "\t            \texpected: 2".
	testifyLabel = regexp.MustCompile(`^ *\t([A-Za-z][A-Za-z ]*): *\t(.*)$`)
	testifyMore  = regexp.MustCompile(`^ *\t *\t(.*)$`)
	pointer      = regexp.MustCompile(`0x[0-9a-f]{4,}`)
)

var statusWord = map[string]string{"PASS": statusPass, "FAIL": statusFail, "SKIP": statusSkip}

func topName(name string) string {
	top, _, _ := strings.Cut(name, "/")
	return top
}

func (p *parsedOutput) test(name string) *testResult {
	if r, ok := p.byName[name]; ok {
		return r
	}
	r := &testResult{Name: name}
	p.byName[name] = r
	p.tests = append(p.tests, r)
	p.started = append(p.started, name)
	return r
}

// unfinished is the last test that started and did not end, or "".
func (p *parsedOutput) unfinished() string {
	for i := len(p.started) - 1; i >= 0; i-- {
		if p.byName[p.started[i]].Status == "" {
			return p.started[i]
		}
	}
	return ""
}

// parseTestOutput reads the output of a test binary run with -test.v. A
// panic ends the process: the test it happened in fails (Go prints its
// --- FAIL first, except when -test.timeout fires), and the tests after it
// did not run.
func parseTestOutput(out string) *parsedOutput {
	p := &parsedOutput{byName: map[string]*testResult{}}
	lines := map[string][]string{}
	current, lastEnded := "", ""
	for _, l := range strings.Split(out, "\n") {
		if m := startLine.FindStringSubmatch(l); m != nil {
			top := topName(m[2])
			p.test(top)
			if m[1] != "PAUSE" {
				current = top
			}
			continue
		}
		if m := endLine.FindStringSubmatch(l); m != nil {
			top := topName(m[3])
			r := p.test(top)
			if m[1] == "" && m[3] == top {
				r.Status = statusWord[m[2]]
				r.Seconds, _ = strconv.ParseFloat(m[4], 64)
				lastEnded = top
			}
			current = top
			continue
		}
		if strings.HasPrefix(l, "panic: ") {
			name := p.unfinished()
			if name == "" && lastEnded != "" && p.byName[lastEnded].Status == statusFail {
				name = lastEnded
			}
			if name != "" {
				r := p.byName[name]
				r.Status, r.Panic = statusFail, strings.TrimSpace(l)
			}
			break // the rest is goroutine stacks
		}
		if current != "" {
			lines[current] = append(lines[current], l)
		}
	}
	for _, r := range p.tests {
		if r.Status == statusFail || r.Status == statusSkip {
			r.Message = firstError(lines[r.Name])
		}
		if r.Message == "" && r.Panic != "" {
			r.Message = r.Panic
		}
	}
	return p
}

// firstError is the first "file.go:N: message" line of a test's output;
// for a testify assertion, whose message starts on the next lines, its
// "Error:" and the lines that go on from it.
func firstError(lines []string) string {
	for i, l := range lines {
		m := fileLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		text := strings.TrimSpace(m[2])
		if text == "" {
			text = testifyError(lines[i+1:])
		}
		return compact(m[1] + ": " + text)
	}
	return ""
}

func testifyError(lines []string) string {
	for i, l := range lines {
		if fileLine.MatchString(l) {
			break
		}
		m := testifyLabel.FindStringSubmatch(l)
		if m == nil || m[1] != "Error" {
			continue
		}
		parts := []string{m[2]}
		for _, c := range lines[i+1:] {
			cm := testifyMore.FindStringSubmatch(c)
			if cm == nil || len(parts) == 4 {
				break
			}
			parts = append(parts, cm[1])
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// compact puts a message on one short line: spaces collapsed, pointers
// (which differ from run to run) elided, and the middle of a long one cut
// (the SDK's tests print whole result structs, the error message at
// their end).
func compact(s string) string {
	s = pointer.ReplaceAllString(strings.Join(strings.Fields(s), " "), "0x…")
	const head, rest = 90, 110
	if utf8.RuneCountInString(s) <= head+rest+20 {
		return s
	}
	r := []rune(s)
	return string(r[:head]) + " … " + string(r[len(r)-rest:])
}
