package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type testSection struct {
	Listen  string        `yaml:"listen"`
	Size    Size          `yaml:"size"`
	Timeout time.Duration `yaml:"timeout"`
	Workers int           `yaml:"workers"`
	Tags    []string      `yaml:"tags"`
	Hidden  string        `yaml:"-"`
}

type testFile struct {
	Edge   testSection            `yaml:"edge"`
	Clouds map[string]testSection `yaml:"clouds"`
	List   []testSection          `yaml:"list"`
	Inline struct {
		Extra string `yaml:"extra"`
	} `yaml:",inline"`
}

// Problems of a file are reported with the file's name and line, in the
// file's terms, one line each, in the file's order.
func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ yaml, want string }{
		{"edge:\n  listen: x\n  Listen: y\n  cache-size: 1\n", "F:3: unknown key Listen in edge (did you mean listen?)\n" +
			"F:4: unknown key cache-size in edge"},
		{"clouds:\n  shop:\n    workrs: 2\n", "F:3: unknown key workrs in clouds.shop (did you mean workers?)"},
		{"list:\n  - listen: a\n  - tagz: [b]\n", "F:3: unknown key tagz in list[1] (did you mean tags?)"},
		{"edge: {hidden: x}\n", "F:1: unknown key hidden in edge"},
		{"extra: x\nextro: y\n", "F:2: unknown key extro at the top level (did you mean extra?)"},
		{"base: &b {listen: a, workerz: 1}\nedge:\n  <<: *b\n", "F:1: unknown key base at the top level\n" +
			"F:1: unknown key workerz in edge (did you mean workers?)"},
		{"edge:\n  size: 12XB\n", `F:2: edge.size: invalid size "12XB" (want a byte count such as 1048576, 20MB or 512MiB)`},
		{"edge:\n  timeout: fast\n  workers: many\n  tags: x\n  listen: [a]\n", `F:2: "fast" is not a duration (such as 250ms, 2s or 1m30s)` + "\n" +
			`F:3: "many" is not a whole number` + "\n" + `F:4: "x" is not a list` + "\nF:5: a list where a single value belongs"},
		{"edge:\n  listen: a\n   x: 1\n", "F:3: not valid YAML: mapping values are not allowed in this context"},
	} {
		path := filepath.Join(dir, "f.yaml")
		if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		var f testFile
		err := LoadFile(path, &f)
		want := strings.ReplaceAll(c.want, "F:", path+":")
		if err == nil || err.Error() != want {
			t.Errorf("%q:\ngot  %v\nwant %s", c.yaml, err, want)
		}
	}
}

// A file without problems decodes, merge keys included.
func TestLoadFileDecodes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.yaml")
	yaml := "edge:\n  <<: {listen: a, size: 2MiB}\n  timeout: 2s\nclouds:\n  shop: {tags: [a, b]}\nextra: e\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var f testFile
	if err := LoadFile(path, &f); err != nil {
		t.Fatal(err)
	}
	if f.Edge.Listen != "a" || f.Edge.Size != 2*MiB || f.Edge.Timeout != 2*time.Second ||
		len(f.Clouds["shop"].Tags) != 2 || f.Inline.Extra != "e" {
		t.Fatalf("decoded %+v", f)
	}
}
