// Package edge is the delivery node browsers talk to: a fasthttp server
// that parses Cloudinary delivery URLs, serves them from memory
// (ristretto), fills misses from the origin once per key, and never serves
// what an applied purge covers. It is pure Go: it imports neither the
// origin nor libvips.
package edge
