package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
)

// Ways to provide the servers under test.
const (
	// ServersSpawn runs each origin and edge as a child process of the
	// mediacdn binary (the default: /proc then shows each one's own CPU
	// time and memory).
	ServersSpawn = "spawn"
	// ServersInProcess runs them inside the bench process, as mediacdn dev
	// does (CPU and memory figures then include the load generator and are
	// left out).
	ServersInProcess = "inproc"
)

// Options configure a run. The zero value of each field means its default
// (DefineFlags documents them).
type Options struct {
	Scenarios []string // names, or "all"; empty means all
	OutDir    string   // reports go here
	Corpus    string   // directory of the photos uploaded
	Binary    string   // the mediacdn binary spawned servers run
	Servers   string   // ServersSpawn or ServersInProcess
	OriginURL string   // a running origin to use instead (http://127.0.0.1:port)
	EdgeURLs  []string // running edges to use with OriginURL
	// OriginMetrics and EdgeMetrics are the metrics listeners of the
	// running origin and edges (their metrics_listen), where the figures
	// read from /metrics come from; without them those figures are 0.
	OriginMetrics string
	EdgeMetrics   []string

	Cloud     string
	APIKey    string
	APISecret string
	Timeout   time.Duration // bounds the whole run
	Install   bool          // apt-get install nginx, varnish and wrk when missing
	Command   string        // the command line, for the reports
	Child     string        // internal: run a measurement child ("floor")
	// EdgeProcs is the edge.procs (GOMAXPROCS) of spawned edges: -1 gives
	// edges that wrk loads the cores it leaves (CPUs minus wrk threads, at
	// least 1) and the others Go's default; 0 keeps Go's default of one
	// per CPU everywhere.
	EdgeProcs int

	// hit
	Conns    int
	Duration time.Duration
	Warmup   time.Duration
	URLs     int
	Zipf     float64
	// compare
	Rounds     int
	RoundTime  time.Duration
	WrkThreads int
	Targets    []string
	MixURLs    int
	// transform
	Transforms       int
	TransformClients int
	// purge
	Edges  int
	Purges int
	// coalesce
	StormURLs    int
	StormClients int
	// storm
	StormConns      int
	StormTransforms int
	StormTime       time.Duration
	// chaos
	ImagingTimeout time.Duration // the imaging.timeout of the origin given by -origin
	// scale
	ScaleEdges  []int         // edge counts of the purge part, ascending
	ScalePurges int           // purges measured per edge count
	ScaleTime   time.Duration // each throughput measurement, and the failover load
	ScaleParts  []string      // the parts to run (purge, throughput, failover)
	// ScalePurgeMeasure is how the purge part measures: "applied" (each
	// edge's own apply times, nothing polled), "poll" (every edge polled
	// until it serves the new bytes) or "both" (one after the other).
	ScalePurgeMeasure string
	scaleEdges        string // -scale-edges as given
	// ScaleOriginProcs is the GOMAXPROCS of the throughput and failover
	// parts' origins: -1 gives each max(1, CPUs / origins), so that the
	// origins of a setup together run on as many threads as there are
	// cores; 0 leaves Go's default (one per CPU).
	ScaleOriginProcs int
	// soak
	Objects   int
	CacheSize int64
	SoakConns int
	SoakTime  time.Duration
}

// ErrUsage marks a command-line mistake.
var ErrUsage = errors.New("usage")

// DefineFlags registers the bench's flags on fs, filling the returned
// Options when fs is parsed.
func DefineFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.OutDir, "out", "bench/results", "write reports and charts into this `directory`")
	fs.StringVar(&o.Corpus, "corpus", "testdata/corpus", "photo corpus `directory`, read in place (`make bench-deps` fetches its photos)")
	fs.StringVar(&o.Binary, "binary", "", "mediacdn `binary` for spawned servers (default: this one)")
	fs.StringVar(&o.Servers, "servers", ServersSpawn, "start servers as child processes (spawn) or inside the bench (inproc)")
	fs.StringVar(&o.OriginURL, "origin", "", "use this running origin (`url`) instead of starting one")
	fs.Var(listFlag{list: &o.EdgeURLs}, "edge", "use these running edges (comma-separated `urls`; needs -origin)")
	fs.StringVar(&o.OriginMetrics, "origin-metrics", "", "the running origin's metrics listener (`url`, its origin.metrics_listen)")
	fs.Var(listFlag{list: &o.EdgeMetrics}, "edge-metrics", "the running edges' metrics listeners (comma-separated `urls`, in -edge's order)")
	fs.StringVar(&o.Cloud, "cloud", "demo", "cloud `name`")
	fs.StringVar(&o.APIKey, "key", "demo_key", "API key for uploads")
	fs.StringVar(&o.APISecret, "secret", "demo_secret", "API secret for uploads")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound on the whole run")
	fs.BoolVar(&o.Install, "install", true, "install nginx, varnish and wrk with apt-get when missing (compare)")
	fs.StringVar(&o.Child, "child", "", "internal: run a measurement child process (floor)")

	fs.IntVar(&o.Conns, "conns", 64, "hit, compare: client connections")
	fs.DurationVar(&o.Duration, "duration", 15*time.Second, "hit: measured duration")
	fs.DurationVar(&o.Warmup, "warmup", 3*time.Second, "hit: unmeasured warm-up with the same mix")
	fs.IntVar(&o.URLs, "urls", 10000, "hit: distinct URLs in the Zipf mix")
	fs.Float64Var(&o.Zipf, "zipf", 1.1, "hit, compare: Zipf exponent of the mix (> 1)")
	fs.IntVar(&o.Rounds, "rounds", 3, "compare: interleaved rounds")
	fs.DurationVar(&o.RoundTime, "round-time", 4*time.Second, "compare: wrk duration per server per round")
	fs.IntVar(&o.WrkThreads, "wrk-threads", 1, "compare: wrk threads")
	fs.IntVar(&o.EdgeProcs, "edge-procs", -1, "GOMAXPROCS of spawned edges (-1: under wrk the cores it leaves, CPUs minus -wrk-threads, else one per CPU; 0: one per CPU)")
	fs.Var(listFlag{list: &o.Targets, replace: true}, "targets", "compare: comma-separated objects among small, large, mix, sweep (default small,large,mix; sweep: single objects of 64 to 333 KB)")
	fs.IntVar(&o.MixURLs, "mix-urls", 2000, "compare: distinct URLs in the mix target")
	fs.IntVar(&o.Transforms, "transforms", 10000, "transform: transforms through HTTP, and again through the bimg floor")
	fs.IntVar(&o.TransformClients, "transform-clients", 2, "transform: concurrent clients")
	fs.IntVar(&o.Edges, "edges", 3, "purge: edges")
	fs.IntVar(&o.Purges, "purges", 1000, "purge: overwrites with invalidate")
	fs.IntVar(&o.StormURLs, "storm-urls", 64, "coalesce: distinct cold URLs")
	fs.IntVar(&o.StormClients, "storm-clients", 48, "coalesce: concurrent requests per URL")
	fs.IntVar(&o.StormConns, "storm-conns", 1000, "storm: connections asking for new transformations")
	fs.IntVar(&o.StormTransforms, "storm-transforms", 1000, "storm: distinct new transformations they ask for, round robin")
	fs.DurationVar(&o.StormTime, "storm-time", 20*time.Second, "storm: duration")
	fs.DurationVar(&o.ImagingTimeout, "imaging-timeout", 30*time.Second, "chaos: the imaging.timeout of the origin given with -origin (origins the bench starts get 1s)")
	fs.StringVar(&o.scaleEdges, "scale-edges", "1,4,16,32", "scale: edge process counts of the purge part (comma-separated, ascending, at most 64)")
	fs.IntVar(&o.ScalePurges, "scale-purges", 300, "scale: purges measured per edge count")
	fs.DurationVar(&o.ScaleTime, "scale-time", 10*time.Second, "scale: duration of each uploads and misses measurement, and of the failover load")
	fs.IntVar(&o.ScaleOriginProcs, "scale-origin-procs", -1, "scale: GOMAXPROCS of each origin of the throughput and failover parts (-1: max(1, CPUs / origins); 0: one per CPU)")
	fs.StringVar(&o.ScalePurgeMeasure, "scale-purge-measure", "applied", "scale: how the purge part measures: applied (each edge's own apply times), poll (edges polled until fresh, the polls take CPU from them) or both")
	fs.Var(listFlag{list: &o.ScaleParts, replace: true}, "scale-parts", "scale: comma-separated parts among purge, throughput, failover (default all three)")
	fs.IntVar(&o.Objects, "objects", 200000, "soak: distinct objects pushed through the edge")
	fs.Var(sizeFlag{&o.CacheSize}, "cache-size", "soak: edge cache budget (default 512MiB)")
	fs.IntVar(&o.SoakConns, "soak-conns", 16, "soak: client connections")
	fs.DurationVar(&o.SoakTime, "soak-time", 4*time.Minute, "soak: time bound")
	return o
}

// listFlag is a flag of comma-separated values: each use adds to the
// list, or replaces it. Its String gives them back, for CommandLine.
type listFlag struct {
	list    *[]string
	replace bool
}

func (l listFlag) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l listFlag) Set(s string) error {
	if l.replace {
		*l.list = nil
	}
	*l.list = append(*l.list, strings.Split(s, ",")...)
	return nil
}

// sizeFlag is a size flag (bytes, or a number with a unit as in the
// configuration files).
type sizeFlag struct{ v *int64 }

func (f sizeFlag) String() string {
	if f.v == nil || *f.v == 0 {
		return ""
	}
	return strconv.FormatInt(*f.v, 10)
}

func (f sizeFlag) Set(s string) error {
	var sz config.Size
	if err := sz.UnmarshalText([]byte(s)); err != nil {
		return err
	}
	*f.v = int64(sz)
	return nil
}

// CommandLine is the command that reproduces a parsed flag set's run.
func CommandLine(fs *flag.FlagSet) string {
	parts := []string{"mediacdn bench"}
	fs.Visit(func(f *flag.Flag) { parts = append(parts, "-"+f.Name+"="+f.Value.String()) })
	return strings.Join(append(parts, fs.Args()...), " ")
}

// applyDefaults fills what a caller that did not use DefineFlags left
// zero.
func (o *Options) applyDefaults() {
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	d := DefineFlags(fs)
	setDefault(&o.OutDir, d.OutDir)
	setDefault(&o.Corpus, d.Corpus)
	setDefault(&o.Servers, d.Servers)
	setDefault(&o.Cloud, d.Cloud)
	setDefault(&o.APIKey, d.APIKey)
	setDefault(&o.APISecret, d.APISecret)
	for _, p := range []struct{ v, d *time.Duration }{{&o.Timeout, &d.Timeout}, {&o.Duration, &d.Duration},
		{&o.Warmup, &d.Warmup}, {&o.RoundTime, &d.RoundTime}, {&o.SoakTime, &d.SoakTime},
		{&o.StormTime, &d.StormTime}, {&o.ImagingTimeout, &d.ImagingTimeout}, {&o.ScaleTime, &d.ScaleTime}} {
		setDefault(p.v, *p.d)
	}
	for _, p := range []struct{ v, d *int }{{&o.Conns, &d.Conns}, {&o.URLs, &d.URLs}, {&o.Rounds, &d.Rounds},
		{&o.WrkThreads, &d.WrkThreads}, {&o.MixURLs, &d.MixURLs}, {&o.Transforms, &d.Transforms},
		{&o.TransformClients, &d.TransformClients}, {&o.Edges, &d.Edges}, {&o.Purges, &d.Purges},
		{&o.StormURLs, &d.StormURLs}, {&o.StormClients, &d.StormClients}, {&o.Objects, &d.Objects},
		{&o.StormConns, &d.StormConns}, {&o.StormTransforms, &d.StormTransforms},
		{&o.SoakConns, &d.SoakConns}, {&o.ScalePurges, &d.ScalePurges}} {
		setDefault(p.v, *p.d)
	}
	setDefault(&o.Zipf, d.Zipf)
	setDefault(&o.CacheSize, int64(512*config.MiB))
	if len(o.Targets) == 0 {
		o.Targets = []string{"small", "large", "mix"}
	}
	setDefault(&o.scaleEdges, d.scaleEdges)
	setDefault(&o.ScalePurgeMeasure, d.ScalePurgeMeasure)
	if len(o.ScaleParts) == 0 {
		o.ScaleParts = scaleParts()
	}
	if len(o.Scenarios) == 0 || slices.Equal(o.Scenarios, []string{"all"}) {
		o.Scenarios = allNames(o.Servers == ServersInProcess && o.OriginURL == "")
	}
}

func setDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// validate checks the options; errors wrap ErrUsage.
func (o *Options) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(scenarioNames(), s) {
			return bad("unknown scenario %q (have %s, or all)", s, strings.Join(scenarioNames(), ", "))
		}
	}
	for _, t := range o.Targets {
		if t != "small" && t != "large" && t != "mix" && t != "sweep" {
			return bad("unknown compare target %q (small, large, mix, sweep)", t)
		}
	}
	if o.Servers != ServersSpawn && o.Servers != ServersInProcess {
		return bad("-servers is spawn or inproc, not %q", o.Servers)
	}
	if slices.Contains(o.Scenarios, "chaos") && o.Servers == ServersInProcess && o.OriginURL == "" {
		return bad("chaos kills, freezes and measures its servers' processes: run it with -servers spawn or -origin/-edge")
	}
	if slices.Contains(o.Scenarios, "scale") && (o.Servers == ServersInProcess || o.OriginURL != "") {
		return bad("scale starts its own origins, edges, PostgreSQL and S3 server as processes: run it with -servers spawn and without -origin/-edge")
	}
	if o.ScaleEdges == nil {
		counts, err := parseCounts(o.scaleEdges, 64)
		if err != nil {
			return bad("-scale-edges: %v", err)
		}
		o.ScaleEdges = counts
	}
	for _, p := range o.ScaleParts {
		if !slices.Contains(scaleParts(), p) {
			return bad("unknown scale part %q (%s)", p, strings.Join(scaleParts(), ", "))
		}
	}
	if !slices.Contains(purgeMeasures, o.ScalePurgeMeasure) {
		return bad("-scale-purge-measure is %s, not %q", strings.Join(purgeMeasures, ", "), o.ScalePurgeMeasure)
	}
	if o.ScalePurges < 10 || o.ScaleTime < time.Second {
		return bad("-scale-purges must be at least 10 and -scale-time at least 1s")
	}
	if len(o.EdgeURLs) > 0 && o.OriginURL == "" {
		return bad("-edge needs -origin (uploads go to the origin)")
	}
	if err := o.checkURLs(); err != nil {
		return bad("%v", err)
	}
	switch {
	case o.Zipf <= 1:
		return bad("-zipf must be greater than 1")
	case o.Conns < 1 || o.SoakConns < 1 || o.TransformClients < 1 || o.StormClients < 1 || o.StormConns < 1:
		return bad("connection and client counts must be at least 1")
	case o.URLs < 1 || o.MixURLs < 1 || o.Transforms < 3 || o.Purges < 1 || o.StormURLs < 1 || o.Objects < 1 ||
		o.StormTransforms < 1:
		return bad("counts must be positive (-transforms at least 3)")
	case o.EdgeProcs < -1:
		return bad("-edge-procs is -1, 0 or a count")
	case o.ScaleOriginProcs < -1:
		return bad("-scale-origin-procs is -1, 0 or a count")
	case o.Edges < 1 || o.Edges > 16:
		return bad("-edges must be between 1 and 16")
	case o.Rounds < 1 || o.Rounds > 20:
		return bad("-rounds must be between 1 and 20")
	case o.RoundTime < time.Second || o.Duration < time.Second || o.StormTime < time.Second:
		return bad("-round-time, -duration and -storm-time must be at least 1s")
	case o.CacheSize < int64(config.MiB):
		return bad("-cache-size must be at least 1MiB")
	case o.Conns > 4096 || o.StormURLs*o.StormClients > 20000 || o.StormConns > 10000:
		return bad("too many connections for one machine")
	}
	if o.Child == "" && o.Servers == ServersSpawn && o.OriginURL == "" && o.Binary == "" {
		o.Binary = executable()
	}
	return nil
}

// checkURLs normalises -origin and -edge and keeps them on loopback.
func (o *Options) checkURLs() error {
	if o.OriginURL != "" {
		u, err := checkBaseURL(o.OriginURL)
		if err != nil {
			return err
		}
		o.OriginURL = u
	}
	for i, e := range o.EdgeURLs {
		u, err := checkBaseURL(e)
		if err != nil {
			return err
		}
		o.EdgeURLs[i] = u
	}
	if o.OriginMetrics != "" {
		u, err := checkBaseURL(o.OriginMetrics)
		if err != nil {
			return err
		}
		o.OriginMetrics = u
	}
	if len(o.EdgeMetrics) > len(o.EdgeURLs) {
		return fmt.Errorf("-edge-metrics names %d listeners for %d edges", len(o.EdgeMetrics), len(o.EdgeURLs))
	}
	for i, e := range o.EdgeMetrics {
		u, err := checkBaseURL(e)
		if err != nil {
			return err
		}
		o.EdgeMetrics[i] = u
	}
	return nil
}

// Deps are what the bench cannot import without a cycle: the app package
// provides them.
type Deps struct {
	// StartInProcess starts an origin and edges in this process
	// (-servers inproc). Nil disables that mode.
	StartInProcess func(ctx context.Context, s InProcessSpec) (Endpoints, func(), error)
}

// InProcessSpec describes the in-process servers a scenario needs.
type InProcessSpec struct {
	Dir            string // scratch directory for data and JetStream
	Edges          int    // at least 1
	CacheSize      int64  // each edge's budget in bytes; 0 means the default
	TransformQueue int    // the origin's transform queue; 0 means the default
	Cloud          string
	APIKey         string
	APISecret      string
}

// Endpoints are the URLs of started servers, and of their metrics
// listeners.
type Endpoints struct {
	OriginURL     string
	EdgeURLs      []string
	OriginMetrics string
	EdgeMetrics   []string
}

// originProcs is the GOMAXPROCS each of n origins of the scale scenario
// gets (see ScaleOriginProcs); 0 leaves Go's default.
func (o *Options) originProcs(n int) int {
	if o.ScaleOriginProcs >= 0 {
		return o.ScaleOriginProcs
	}
	return max(1, runtime.NumCPU()/max(n, 1))
}

// edgeProcs is the edge.procs spawned edges get (see EdgeProcs); wrk says
// whether wrk loads them.
func (o *Options) edgeProcs(wrk bool) int {
	switch {
	case o.EdgeProcs >= 0:
		return o.EdgeProcs
	case !wrk:
		return 0
	}
	return max(1, runtime.NumCPU()-max(o.WrkThreads, 1))
}
