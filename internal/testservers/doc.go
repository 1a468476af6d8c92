// Package testservers starts real servers for tests, each on a temporary
// directory and a free loopback port, stopped when the test (or, for
// PostgreSQL, the test binary) ends: thin testing.TB wrappers of
// internal/localsrv, which starts them for `mediacdn cluster` too. A
// server whose program is missing fails the test with a message naming
// `make test-deps`, which installs it; the test never runs on without it.
//
// Files:
//   - s3.go: StartS3, versitygw with its POSIX backend, one per test; Find
//     locates a server program (the module's bin/, PATH, GOPATH/bin).
//   - postgres.go: StartPostgres, one PostgreSQL server per test binary
//     (initdb and the server as an unprivileged user when run as root),
//     one database per test; RunPostgres stops it from TestMain.
package testservers
