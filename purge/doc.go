// Package purge carries invalidations from the origin to every edge: the
// rule a purge is made of and how an edge matches it against a cached URL,
// the NATS JetStream publisher and subscriber that move rules in order with
// nothing lost, and the embedded NATS server that a single machine runs.
//
// # Rules
//
// A Rule is data (asset, prefix, named transformation, whole-cloud flush,
// or "created": clear cached 404s), carrying the cloud's invalidation Mode
// and the asset's latest version, so that Rule.Matches decides alone which
// cached responses (Target) it covers. Rules travel as versioned JSON.
//
// # Subjects and stream
//
// Rules are stored in the JetStream stream MEDIACDN_PURGE (file storage,
// limits retention, Config.Stream) on the subjects mediacdn.purge.<cloud>;
// edges report on mediacdn.edges.heartbeat (core NATS).
//
// # Cluster
//
// Embedded.Cluster makes the embedded server one of a NATS cluster of
// JetStream servers; StartCluster runs n of them in one process (tests,
// mediacdn cluster). With Stream.Replicas 3 over three servers, purges
// survive one server's death: Publish retries an unacknowledged rule under
// its message id (stored once), clients reconnect to another server with
// backoff, and a subscriber starts a new consumer after its last applied
// rule.
//
// # Origin
//
//	nc, _ := purge.Connect(cfg.NATS, "mediacdn-origin")
//	pub, _ := purge.NewPublisher(ctx, nc, cfg.NATS)   // creates/updates the stream
//	tr, _ := purge.NewTracker(nc, cfg.NATS)           // follows edge heartbeats
//	// after committing a mutation (destroy, rename, overwrite, explicit,
//	// delete_resources..., deleting a named transformation):
//	seq, err := pub.Publish(ctx, rule)                 // returns once stored
//	ledger.Record(rule.ID, seq)                        // invalidation id -> seq
//	err = tr.Wait(ctx, seq)                            // nil: every live edge applied it
//
// # Edge
//
//	ix := purge.NewIndex(purge.IndexConfig{Retention: longestTTL})
//	sub, _ := purge.NewSubscriber(nc, ix, cfg.NATS, purge.SubscriberOptions{EdgeID: id})
//	sub.Start(ctx); defer sub.Close()
//	// fill start:  entry.since = ix.Seq(); entry.checked = entry.since
//	// lookup:      if cur := ix.Seq(); entry.checked < cur {
//	//                  if ix.Covered(&target, entry.checked) { treat as a miss }
//	//                  else { entry.checked = cur }
//	//              }
//	//              if !versioned && !sub.CaughtUp() { revalidate with If-None-Match }
//	// readiness:   sub.State()
//
// # Files
//
// Files, one concept each:
//
//	rule.go        Rule, Kind, Scope, Mode and the New* constructors, Validate
//	match.go       Rule.Matches: which cached responses (Target) a rule covers
//	target.go      Target, TargetOf: what an edge knows of one cached response
//	wire.go        a rule's versioned JSON (WireVersion), DecodeRule
//	config.go      Config, Stream, Embedded, EmbeddedCluster, TLS: defaults, env, validation
//	stream.go      subjects, the stream's name and settings, EnsureStream (a racing create tried again)
//	connect.go     Connect: URLs, auth, TLS, reconnect backoff
//	embedded.go    EmbeddedServer, StartEmbedded: a NATS server with JetStream in this process
//	cluster.go     Cluster, StartCluster: n clustered embedded servers (tests, mediacdn cluster)
//	publisher.go   Publisher: Publish stores a rule, retried under its message id; NewID
//	ledger.go      Ledger: invalidation id to stream sequence, on the origin
//	tracker.go     Tracker, EdgeStatus: the origin follows edge heartbeats, Wait for a sequence
//	index.go       Index, IndexConfig: an edge's applied rules, Covered, Seq, retention
//	rulelog.go     ruleList, ruleLog: the index's rules in sequence order, for lookups and retention
//	subscriber.go  Subscriber, SubscriberOptions, State: the edge's consumer, applying rules in order
//	catchup.go     catchup: is the edge caught up with the stream, within the bound?
//	watch.go       the subscriber's periodic check: caught up, stalled consumer restarted, index trimmed
//	heartbeat.go   Heartbeat, Served: what an edge reports, and when
package purge
