package bench

import (
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

func parseOptions(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := DefineFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.Scenarios = fs.Args()
	o.Binary = "/bin/true"
	o.applyDefaults()
	return o, o.validate()
}

func TestOptionsDefaults(t *testing.T) {
	o, err := parseOptions(t)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Scenarios, allNames(false)) || slices.Contains(o.Scenarios, "scale") || o.CacheSize != 512<<20 || o.Conns != 64 || o.Edges != 3 ||
		!slices.Equal(o.Targets, []string{"small", "large", "mix"}) {
		t.Errorf("defaults %+v", o)
	}
	o, err = parseOptions(t, "-cache-size", "64MiB", "-targets", "small", "-edge", "http://127.0.0.1:1/,http://localhost:2",
		"-origin", "http://127.0.0.1:3", "purge")
	if err != nil {
		t.Fatal(err)
	}
	if o.CacheSize != 64<<20 || !slices.Equal(o.Targets, []string{"small"}) || o.OriginURL != "http://127.0.0.1:3" ||
		!slices.Equal(o.EdgeURLs, []string{"http://127.0.0.1:1", "http://localhost:2"}) {
		t.Errorf("parsed %+v", o)
	}
}

func TestOptionsRejects(t *testing.T) {
	for _, args := range [][]string{
		{"nosuch"}, {"-zipf", "1"}, {"-targets", "huge"}, {"-servers", "docker"},
		{"-edge", "http://127.0.0.1:1"}, {"-origin", "http://10.0.0.1:8081"}, {"-origin", "https://127.0.0.1:1"},
		{"-edges", "17"}, {"-transforms", "2"}, {"-round-time", "10ms"}, {"-storm-time", "10ms"},
		{"-storm-conns", "20000"},
		{"-scale-edges", "4,1"}, {"-scale-edges", "0"}, {"-scale-edges", "65"}, {"-scale-edges", "1,x"},
		{"-scale-parts", "purge,nosuch"}, {"-scale-purges", "5"},
		{"-servers", "inproc", "scale"}, {"-origin", "http://127.0.0.1:3", "scale"},
	} {
		_, err := parseOptions(t, args...)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// scale runs only when named, with its parts and edge counts parsed.
func TestOptionsScale(t *testing.T) {
	o, err := parseOptions(t, "-scale-edges", "2, 8", "-scale-parts", "failover,purge", "scale")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Scenarios, []string{"scale"}) || !slices.Equal(o.ScaleEdges, []int{2, 8}) ||
		!slices.Equal(o.ScaleParts, []string{"failover", "purge"}) {
		t.Errorf("parsed %v %v %v", o.Scenarios, o.ScaleEdges, o.ScaleParts)
	}
	o, err = parseOptions(t, "scale")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.ScaleEdges, []int{1, 4, 16, 32}) || !slices.Equal(o.ScaleParts, scaleParts()) {
		t.Errorf("defaults %v %v", o.ScaleEdges, o.ScaleParts)
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:80", "[::1]:80", "localhost:1", "127.1.2.3:9"} {
		if err := checkLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"192.168.1.1:80", "example.com:80", "nohost"} {
		if err := checkLoopback(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestCommandLine(t *testing.T) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	DefineFlags(fs)
	fs.Parse([]string{"-transforms", "3000", "hit"})
	if got := CommandLine(fs); got != "mediacdn bench -transforms=3000 hit" {
		t.Errorf("%q", got)
	}
	// List and size flags come back as given, so that a report's command
	// reproduces its run.
	fs = flag.NewFlagSet("bench", flag.ContinueOnError)
	DefineFlags(fs)
	fs.Parse([]string{"-edge", "http://127.0.0.1:1,http://127.0.0.1:2", "-edge", "http://127.0.0.1:3", "-targets", "mix",
		"-cache-size", "64MiB", "-origin", "http://127.0.0.1:4", "chaos"})
	if got, want := CommandLine(fs), "mediacdn bench -cache-size=67108864 -edge=http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3 "+
		"-origin=http://127.0.0.1:4 -targets=mix chaos"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	y := edgeYAML("demo", "127.0.0.1:1", "127.0.0.1:4", "127.0.0.1:2", []string{"http://127.0.0.1:3"}, 1<<20, 1)
	if !strings.HasPrefix(y, "log:") || !strings.Contains(y, "\n  procs: 1\n") || !strings.Contains(y, "\n  metrics_listen: \"127.0.0.1:4\"\n") {
		t.Errorf("edge yaml %q", y)
	}
}
