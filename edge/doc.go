// Package edge is the delivery node browsers talk to: a fasthttp server
// that parses Cloudinary delivery URLs, serves them from memory
// (ristretto), fills misses from the origin once per key, and never serves
// what an applied purge covers. It is pure Go: it imports neither the
// origin nor libvips.
//
// A request's way: handle admits and routes it; deliver first tries
// fastHit, a lookup by the raw request path (delivery.AppendRequestKey)
// that parses nothing and allocates nothing; otherwise it parses the URL,
// negotiates the variant of a varying URL (f_auto, q_auto, dpr_auto,
// w_auto: delivery.NegotiateVariant from Accept and the client hints, the
// width rounded to w_auto's step, never a raw header) and looks up
// the full key. Whether an entry found may be served (as a hit, while it
// is revalidated, or in place of an origin's failure) is one question,
// entry.servable: never once an applied purge covers it, and an
// unversioned entry only while the edge is caught up with purges. A miss
// asks an origin once per key (fill.go), naming the variant in
// delivery.HeaderVariant: the origin makes that variant, and the client's
// own Accept and client hints stay at the edge. The origin's Accept-CH (a
// cloud with client_hints) is kept with the entry and sent with every
// answer made of it.
//
// A search URL (delivery.SearchURL, the SDKs' search to_url) is filled and
// keyed as any other URL, but its entry is bounded: it expires within the
// URL's ttl whatever the origin says, is never served stale, and tells
// clients max-age the ttl. Only a cloud-wide purge (a flush) covers it: the
// assets a search lists change without purging it, and show after at most
// the ttl.
//
// With several origins, a fill goes to the one its URL path ranks first by
// rendezvous hashing among those in (rendezvous.go), so every edge sends
// a URL to the same origin and the origin's own once-per-key fill dedups
// it across edges; an origin that fails origin_fail_after requests in a
// row is out until its /healthz answers 200 (health.go), and a request
// that got no answer is resent once, to the key's next origin (origins.go).
//
// Files, one concept each:
//
//	server.go          Server, New, Deps, Listen, Serve, Shutdown; the Purges and Sync it reads
//	config.go          Config: the edge's section of the YAML file, defaults, validation
//	strict.go          HTTP/1.1 strictness fasthttp lacks (framing, bad heads refused)
//	conntimeouts.go    client read, idle and write timeouts by a watchdog
//	handle.go          routing, deliver, fastHit, the request's variant
//	entry.go           entry, a cached response, and servable: may it be served?
//	cache.go           the ristretto cache of entries, cost in bytes
//	fill.go            miss, fetch: one origin fill per key, what the origin is asked
//	revalidate.go      stale-while-revalidate: one background refresh per key
//	pass.go            responses too large to cache, streamed (max_object_size)
//	token.go           granted: tokens and anonymous windows checked on every serve; the fill's own token
//	clientip.go        clientIP: the peer, or behind trusted_proxies the client they report
//	origins.go         the origins, their connection budgets; do: which origin, retry once
//	rendezvous.go      which origin fills a key: rendezvous hashing, and why not round-robin
//	health.go          taking an origin out after failures, probing its /healthz back in
//	shed.go            origin failures and shedding answered (502, 503, 504, Retry-After)
//	respond.go         serving an entry: headers, conditional requests, ranges, Cache-Status
//	lastmodified.go    Last-Modified never later than Date
//	cors.go            OPTIONS and CORS preflights, answered at the edge
//	ops.go             /readyz and the /metrics answer (handle.go answers /healthz)
//	metrics.go         the edge's counters and cache statistics
//	metricsserver.go   /metrics on a listener of its own (metrics_listen)
//	bytes.go           byte/string views without copies, pooled key buffers
package edge
