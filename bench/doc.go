// Package bench is mediacdn bench: reproducible measurements of the system
// as its users and its rivals would take them, on one machine, over
// loopback only, with every load loop bounded in requests and in time.
//
// Scenarios (Run runs them in this order; `all` runs every one, chaos
// only where the servers are processes):
//
//	hit        one edge under a Zipf mix of many URLs: req/s, latency
//	           percentiles, hit ratio, bytes/s, edge CPU per request
//	compare    the edge beside nginx proxy_cache and Varnish on the same
//	           origin, warmed alike, wrk in interleaved rounds, CPU per
//	           request of each server from /proc, medians and ratios
//	transform  origin transforms over HTTP beside a plain bimg loop
//	           (origin/imaging.Floor, in a child process)
//	purge      N edges; overwrites with invalidate; time from the API's
//	           answer until every edge serves the new bytes
//	coalesce   a storm on cold URLs; origin requests per URL, counted by
//	           a proxy between edge and origin
//	storm      1,000 connections over 1,000 distinct new transformations
//	           with originals asked for meanwhile: status shares (only 200
//	           or 503 with Retry-After), originals' success rate
//	soak       many distinct objects through one edge; RSS and cache
//	           bytes over time against the budget
//	chaos      issue 15's hostile cases, pass or fail (the run fails with
//	           them): blur chains against the cost budget and the
//	           deadline (transform slots free, RSS back), floods of large
//	           uploads without and with credentials (the origin's peak
//	           RSS), the storm, SIGKILL during uploads (nothing
//	           acknowledged lost), an edge stopped with SIGSTOP while
//	           purges are published (fresh within caught_up_bound)
//	scale      issue 17, run only when named (`mediacdn bench scale`;
//	           about 2 minutes, more than `all`'s budget leaves, and it
//	           needs PostgreSQL and versitygw, `make servers`): purge
//	           propagation to 1, 4, 16 and 32 edge processes, from each
//	           edge's own apply times (-scale-purge-measure applied; poll
//	           polls them instead, both does both) (p99 at the most
//	           within 2× of the fewest, pass or fail); uploads and
//	           misses per second with one origin on SQLite and files, one
//	           and two on PostgreSQL and S3; an origin SIGKILLed under a
//	           miss-heavy load (client errors against the requests in
//	           flight to it, how long edges kept sending it fills, every
//	           upload acknowledged before the kill intact)
//
// Servers are child processes of the mediacdn binary by default (so /proc
// shows each one's own CPU and memory), or run inside the bench process
// (-servers inproc, through Deps from the app package, which the bench
// cannot import), or are given by URL (-origin, -edge).
//
// Each scenario writes <date>-<scenario>.md, .json and SVG charts to the
// output directory; a run of several also writes <date>-summary.md.
//
// Files, one concept each:
//
//	run.go, options.go     the command: scenarios, flags, the run
//	cluster.go, child.go   origin and edges: spawned, in-process or by URL
//	rivals.go, install.go  nginx and Varnish; apt-get when missing
//	load.go, wrk.go        the built-in closed-loop generator; wrk and its Lua
//	ops.go                 a bounded pool of numbered operations
//	zipf.go, corpus.go     the popularity law; photos, variants and URLs
//	api.go, fetch.go       Upload and Admin API client; GETs
//	proc.go, metrics.go    /proc CPU, RSS (its peak reset), listeners; /metrics of the metrics listeners
//	countproxy.go          the origin-request counter of coalesce
//	hist.go, stats.go      latency histogram; quantiles and medians
//	report.go, machine.go  reports (markdown, JSON); the machine header
//	svg.go                 charts: CDF, histogram, time series
//	progress.go            live lines and bars
//	hit.go, compare*.go, transform*.go, floor*.go, purge.go,
//	coalesce.go, storm.go,
//	soak.go                the scenarios
//	chaos.go               the chaos scenario: its table and report;
//	chaos_blur.go, chaos_flood.go, chaos_crash.go,
//	chaos_freeze.go        its cases
//	scale.go               the scale scenario: its parts and report;
//	scale_purge.go,
//	scale_purge_applied.go,
//	scale_throughput.go,
//	scale_failover.go      its parts
//	scale_fleet.go         several origins on shared PostgreSQL and S3
//	                       (internal/localsrv), edges filling from all
//	scale_gate.go          the proxy in front of an origin that sees
//	                       what edges send it, before and after its death
package bench
