// Package purge carries invalidations from the origin to every edge: the
// rule a purge is made of and how an edge matches it against a cached URL,
// the NATS JetStream publisher and subscriber that move rules in order with
// nothing lost, and the embedded NATS server that a single machine runs.
package purge
