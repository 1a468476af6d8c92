package app

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// section is a mapping of the configuration file: its YAML path and keys.
type section struct {
	path []string
	keys []string
}

// fileSections lists every section of t, maps of sections entered through
// the key "demo".
func fileSections(t reflect.Type, path []string) []section {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Map:
		return fileSections(t.Elem(), append(path[:len(path):len(path)], "demo"))
	case reflect.Struct:
	default:
		return nil
	}
	if t.PkgPath() == "time" {
		return nil
	}
	s := section{path: path}
	var nested []section
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		s.keys = append(s.keys, name)
		nested = append(nested, fileSections(f.Type, append(path[:len(path):len(path)], name))...)
	}
	sort.Strings(s.keys)
	if len(s.keys) == 0 {
		return nested
	}
	return append([]section{s}, nested...)
}

// An unknown key, in every section of the file, is named with the file's
// line and its section, and the key it misspells: in the configuration's
// words, never a Go type's.
func TestUnknownKeyInEverySection(t *testing.T) {
	sections := fileSections(reflect.TypeFor[File](), nil)
	if len(sections) < 10 {
		t.Fatalf("only %d sections found: %+v", len(sections), sections)
	}
	dir := t.TempDir()
	for _, s := range sections {
		name := strings.Join(s.path, ".")
		if name == "" {
			name = "top level"
		}
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("# a comment first\n\n")
			for i, p := range s.path {
				b.WriteString(strings.Repeat("  ", i) + p + ":\n")
			}
			known := s.keys[0]
			typo := known + known[len(known)-1:]
			b.WriteString(strings.Repeat("  ", len(s.path)) + typo + ": 1\n")
			line := strings.Count(b.String(), "\n")
			path := filepath.Join(dir, "x.yaml")
			if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			where := "at the top level"
			if len(s.path) > 0 {
				where = "in " + strings.Join(s.path, ".")
			}
			want := path + ":" + strconv.Itoa(line) + ": unknown key " + typo + " " + where + " (did you mean " + known + "?)"
			_, err := LoadFile(path)
			if err == nil || err.Error() != want {
				t.Fatalf("file\n%s\ngot  %v\nwant %s", b.String(), err, want)
			}
		})
	}
}
