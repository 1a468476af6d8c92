package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// LineError is a problem on one line of a YAML file: a key that names no
// setting (Decode checks every key against the settings' types), or a
// value or syntax yaml.v3 could not read.
type LineError struct {
	// Line is the line, from 1.
	Line int
	// Message says what is wrong, in the file's terms.
	Message string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// LineErrors are the problems of a file, in the file's order.
type LineErrors []*LineError

func (es LineErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

var (
	syntaxError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	typeError   = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
)

// readable rewrites yaml.v3's errors into LineErrors that speak of values,
// not of Go types ("line 4: "fast" is not a duration (such as 2s or
// 1m30s)"). Errors it does not know stay as they are.
func readable(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var es LineErrors
		for _, e := range te.Errors {
			m := typeError.FindStringSubmatch(e)
			if m == nil {
				return err
			}
			var line int
			fmt.Sscan(m[1], &line)
			es = append(es, &LineError{Line: line, Message: notA(m[2], m[3], m[4])})
		}
		return es
	}
	if m := syntaxError.FindStringSubmatch(err.Error()); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return LineErrors{{Line: line, Message: "not valid YAML: " + m[2]}}
	}
	return err
}

// notA says that a YAML value of the given tag cannot be the Go type goType.
func notA(tag, value, goType string) string {
	var want string
	switch {
	case goType == "time.Duration":
		want = "a duration (such as 250ms, 2s or 1m30s)"
	case goType == "bool":
		want = "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		want = "a whole number"
	case strings.HasPrefix(goType, "float"):
		want = "a number"
	case goType == "string":
		want = "a single value"
	case strings.HasPrefix(goType, "[]"):
		want = "a list"
	default:
		want = "a section of key: value lines"
	}
	switch tag {
	case "map":
		return "a section where " + want + " belongs"
	case "seq":
		return "a list where " + want + " belongs"
	}
	return fmt.Sprintf("%q is not %s", value, want)
}

// inFile puts path in front of every line of a Decode error:
// "path:line: message", or "path: message" without a line.
func inFile(path string, err error) error {
	var les LineErrors
	if !errors.As(err, &les) {
		return fmt.Errorf("%s: %w", path, err)
	}
	lines := make([]string, len(les))
	for i, e := range les {
		lines[i] = fmt.Sprintf("%s:%d: %s", path, e.Line, e.Message)
	}
	return &fileError{msg: strings.Join(lines, "\n"), err: err}
}

// fileError is a Decode error with the file's name in front of each line.
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.err }
