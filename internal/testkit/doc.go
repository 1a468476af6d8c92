// Package testkit is what the tests of every package share: the test
// images, one way to send an HTTP request and read the answer (and one to
// send it byte for byte), and one way to wait for a condition. Only tests
// use it: _test.go files, and test kits of their own
// (internal/testservers, origin/blob/blobtest); deps_test.go checks that,
// and that it imports the standard library only, so that any package's
// internal tests can use it (edge's among them, which build without cgo
// and never link the origin).
//
// Files, one concept each:
//
//	corpus.go  the test images of testdata/corpus: Dir, Path, Read (and how to get a missing photo)
//	http.go    Do and Get: one request to a real server, its whole Answer; headers as name, value pairs
//	node.go    NodeSDK and RunNodeSDK: a script of test/node run with the official Node SDK (skipped, or failed when required, without it)
//	poll.go    CheckFor and Eventually: a condition polled until it holds, or the test fails with why; Timeout
//	raw.go     RawExchange: bytes no HTTP client would send, and the RawAnswer as it came off the wire
//
// Servers are not here: each is started by the package that owns it, so
// that there is one starter of each. A whole installation (NATS, an origin,
// edges) is app.StartCluster, which mediacdn bench runs too, with app's
// tests' startCluster its only wrapper (the kit cannot import app: app's
// own tests import the kit, and edge's tests must not link the origin);
// an embedded NATS server is purge.StartEmbedded.
package testkit
