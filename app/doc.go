// Package app assembles components into the mediacdn subcommands: it loads
// and validates the YAML file, applies environment overrides and flags, and
// runs the servers each subcommand needs until its context ends.
//
// A subcommand's way (the binary's main.go lists them as Commands): it
// parses its flags (newFlags), loads the File (LoadFile, or the built-in
// configs/dev.yaml for dev), lets the flags override it, validates it for
// its Role, and hands its services (NATS, origin, edge, pprof, each a
// service: Start, Close) to runServices, which starts them in order, waits
// for the context to end or a service to fail, and closes them in reverse
// order. StartCluster runs a whole many-machine installation in one
// process, for tests, mediacdn bench and mediacdn cluster.
//
// Files, one concept each:
//
//	run.go           IO, Command, the service interface, runServices, flags and usage errors
//	file.go          File: the YAML file's sections, Role, LoadFile, ParseFile, Validate
//	role.go          inferRole: which role a file is for, by its top-level sections
//	checkconfig.go   CheckConfig: mediacdn check-config
//	dev.go           Dev: mediacdn dev, NATS, origin and edge in one process
//	banner.go        devBanner: what dev prints once ready (addresses, credentials)
//	origin.go        Origin: mediacdn origin, its flags; roleFile
//	origin_cgo.go    originService: storage, images, HTTP API, purge publishing
//	origin_nocgo.go  newOrigin's stand-in without cgo: an error (libvips and SQLite)
//	edge.go          Edge: mediacdn edge, its flags, GOMAXPROCS; edgeService with its purge subscriber
//	nats.go          natsService: the embedded NATS server, embeddedNATS, checkDevNATS
//	httpservice.go   httpService: an http.Handler served on an address (origin, metrics, pprof)
//	pprof.go         pprofService: Go's profiler on an address of its own (-pprof)
//	ready.go         waitReady: polling an edge's /readyz until it answers 200
//	cluster.go       ClusterOptions, Cluster, StartCluster: an installation in one process
//	clustercmd.go    RunCluster: mediacdn cluster, its S3 credentials and banner
//	proxy.go         tcpProxy: a cuttable TCP proxy, a network partition for Cluster.Partition
//	purge.go         Purge: mediacdn purge, a request to an origin's API
//	bench.go         Bench: mediacdn bench (package bench); startInProcess, a Cluster for -servers inproc
//	fsck.go          Fsck: mediacdn fsck, checking a stopped origin's storage
//	fsck_cgo.go      fsckStorage: orphaned blobs, rows whose blob is missing, -repair
//	fsck_nocgo.go    fsckStorage's stand-in without cgo: an error (SQLite)
//	version.go       Version: mediacdn version, module version and VCS revision
package app
