// Command sdksuite runs the official Cloudinary Go SDK's own end-to-end
// tests (or, with -sdk node, the Node SDK's integration specs) against a
// mediacdn dev stack, and reports per package how many
// tests pass, fail and skip, and for every failing test its first error
// line. It is the yardstick behind `make sdk-suite` (docs/compatibility.md,
// "Measuring against the SDKs' own suites").
//
// From the top of the checkout, after `make build`:
//
//	go run ./test/sdksuite [-out dir] [-baseline file|off] [-wire] [-pkg re] [-run re]
//
// What it does, in order:
//
//  1. copies the SDK (github.com/cloudinary/cloudinary-go/v2 at the version
//     in go.mod) from the module cache into a temporary directory;
//  2. sets aside its *_acceptance_test.go files: they check the SDK's
//     requests against mock servers of their own and measure nothing here;
//  3. points internal/cldtest's LogoURL and VideoURL (Cloudinary-hosted
//     samples that uploads by URL fetch) at a sample server on
//     127.0.0.1:8090, by replacing the two constants verbatim; if either is
//     not found exactly once the run stops, since the SDK changed;
//  4. builds one test binary per SDK package that has tests, outside any
//     namespace (so the module proxy may be used; nothing later needs the
//     network);
//  5. re-executes itself inside a loopback-only network namespace
//     (`unshare -n` as root, `unshare -rn` otherwise), brings lo up, serves
//     the SDK's own internal/cldtest/testdata files as the samples, starts
//     `bin/mediacdn dev` with test/sdksuite/dev.yaml on a temporary data
//     directory (in the directory of the configuration, beside the TLS
//     files its origin.tls names), waits for "is ready", and runs each
//     test binary (over plain HTTP) with
//     CLOUDINARY_URL=cloudinary://demo_key:demo_secret@demo?upload_prefix=http://127.0.0.1:8081;
//     when a test panics (the SDK's tests index empty slices once a call
//     failed), the binary stops, and the tests that had not run yet are
//     run again in a new process;
//  6. prints the summary, writes a markdown report, a JSON file and the
//     logs (test output, mediacdn's log, with -wire every request and
//     response) into -out, and compares with -baseline, the tests expected
//     to fail today: it lists those that newly fail and newly pass.
//
// The exit status is non-zero only when the runner itself failed (the SDK
// could not be copied, patched or built, mediacdn did not start, the
// namespace could not be made, the time ran out): failing tests are the
// measurement. Every process it starts is stopped and every temporary
// directory removed (-keep keeps the SDK copy and the data directory).
//
// With -sdk node (`make node-suite`) it runs the Node SDK's own
// integration specs instead, the same way:
//
//  1. clones the SDK's repository (-node-repo, GitHub's by default) at tag
//     2.10.1 into -cache (mediacdn/node-sdk-suite under the user's cache
//     directory), once, checking the tag's commit, and runs npm ci there on
//     test/sdksuite/node's package-lock.json (mocha 7, expect.js, sinon and
//     the other modules the specs require), again only when it changed;
//  2. copies the clone (without .git) into the temporary directory and
//     points the specs' remote sample URLs (nodePatches: spechelper.js's
//     and testConstants.js's IMAGE_URL and VIDEO_URL, the uploader spec's
//     logos) at the sample server, replacing them verbatim, the samples
//     being the clone's own test/.resources files; testConstants.js's
//     TEST_CLOUD_NAME drops CLOUDINARY_URL's parameters (nodeEdits);
//  3. makes a throwaway certificate authority and a certificate for
//     127.0.0.1 (tls.go), which dev.yaml's origin.tls serves the API with
//     on 127.0.0.1:8443: the specs reach mediacdn over HTTPS
//     (upload_prefix=https://127.0.0.1:8443, NODE_EXTRA_CA_CERTS), as some
//     spy on Node's https module;
//  4. inside the namespace, once mediacdn is ready, uploads the clone's
//     test/.resources/sample.jpg as the public ID sample (every Cloudinary
//     account has that image; a spec updates its metadata), then runs each
//     spec file under test/integration (-pkg chooses among them) in a mocha
//     process of its own, setup.js first, --exit, no retries,
//     CLD_TEST_FEATURES=dynamic_folders, with test/sdksuite/node's
//     reporter.js writing each test's result: passed, failed, pending
//     (skip), or not run when a hook failed before it. The tests of
//     nodeFixedFolderTests run against dev.yaml's second cloud, fixed, in
//     the fixed folder mode, in a process of their own. When mocha stops a
//     run (a test that had passed throws afterwards), the tests it had not
//     run are run again in a new process;
//  5. reports per spec file against test/sdksuite/node-baseline.txt, whose
//     test names are mocha's full titles.
//
// The report goes by default to a new directory under $TMPDIR: a run writes
// several megabytes of logs that belong to one machine and one moment, and
// `make sdk-suite` must leave the checkout clean; the figures worth keeping
// go to docs/compatibility.md and test/sdksuite/baseline.txt.
// -out bench/results puts the report beside the benchmarks'.
//
// Files, one concept each:
//
//	main.go         flags, outer: prepare outside the namespace, run the plan inside, report; runInner
//	sdk.go          prepareSDK: the SDK copied, acceptance tests set aside, cldtest patched, test binaries built
//	inner.go        inner: the plan run inside the namespace, the sample server, mediacdn dev, runPackage
//	parse.go        parseTestOutput: a test binary's -test.v output, each test's status and first error
//	report.go       the baseline, report: the text summary, markdown and JSON, newly failing and passing
//	wire.go         logSink, serveWire: the tests' log, and with -wire a proxy logging every exchange
//	procs_linux.go  loopbackUp (lo up without iproute2), process groups, killGroup
//	procs_other.go  their stand-ins elsewhere: loopbackUp fails (namespaces need Linux), the rest do nothing
//	node.go         -sdk node: prepareNode (clone, npm ci, copy, patches), runSpec, parseNodeResults
//	tls.go          writeTLS: the throwaway CA and certificate of the origin's HTTPS listener
//	dev.yaml        mediacdn dev's configuration for the run (embedded)
//	baseline.txt    the Go SDK's tests expected to fail today (embedded)
//	node-baseline.txt  the Node SDK's tests expected to fail today (embedded)
//	node/           package.json and package-lock.json of the specs' npm
//	                dependencies, reporter.js (embedded)
package main
