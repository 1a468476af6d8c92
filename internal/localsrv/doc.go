// Package localsrv starts the servers a many-machine installation leans
// on, as child processes of this one on loopback ports: PostgreSQL
// (initdb and the server, as the unprivileged user nobody when this
// process runs as root, since PostgreSQL refuses root) and versitygw, an
// S3 server with its POSIX backend. `mediacdn cluster` runs them for
// users to try an installation on one machine; internal/testservers
// wraps them for tests. Both are tuned for trials, not for keeping data
// through a machine crash (PostgreSQL runs with fsync off).
//
// A program that is missing gives a *MissingError, which the caller
// completes with how to install it (`make servers`).
//
// Files:
//   - find.go: Find locates a server program (the module's bin/, other
//     directories the caller names, PATH, GOPATH/bin); MissingError;
//     FreePort.
//   - postgres.go: StartPostgres, one PostgreSQL server on a directory.
//   - s3.go: StartS3, versitygw on a directory with one bucket.
package localsrv
