package purge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Subjects. Rules go to <prefix>.purge.<cloud> (one subject per cloud, all
// in the one stream, so that stream sequences are contiguous for an edge
// consuming them all); heartbeats go to <prefix>.edges.heartbeat over core
// NATS (losing one is harmless).
const (
	rulesToken     = ".purge."
	heartbeatToken = ".edges.heartbeat"
)

// RuleSubject is the subject rules of cloud are published on.
func (c *Config) RuleSubject(cloud string) string {
	return c.subjectPrefix() + rulesToken + cloud
}

// RuleSubjects is the stream's subject filter: every cloud's rules.
func (c *Config) RuleSubjects() string { return c.subjectPrefix() + rulesToken + "*" }

// HeartbeatSubject is the subject edges report their applied sequence on.
func (c *Config) HeartbeatSubject() string { return c.subjectPrefix() + heartbeatToken }

// StreamName is the purge stream's name.
func (c *Config) StreamName() string {
	if c.Stream.Name == "" {
		return DefaultStreamName
	}
	return c.Stream.Name
}

func (c *Config) subjectPrefix() string {
	if c.Stream.SubjectPrefix == "" {
		return DefaultSubjectPrefix
	}
	return c.Stream.SubjectPrefix
}

// cloudOf returns the cloud a rule subject names.
func (c *Config) cloudOf(subject string) string {
	return strings.TrimPrefix(subject, c.subjectPrefix()+rulesToken)
}

// streamConfig is the purge stream: file storage, limits retention (rules
// age out after MaxAge), old rules discarded first, and a de-duplication
// window so that a retried publish of the same invalidation id stores it
// once.
func (c *Config) streamConfig() jetstream.StreamConfig {
	s := c.Stream
	s.applyDefaults()
	cfg := jetstream.StreamConfig{
		Name:        s.Name,
		Description: "mediacdn purge rules",
		Subjects:    []string{c.RuleSubjects()},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		Replicas:    s.Replicas,
		MaxAge:      s.MaxAge,
		MaxMsgs:     -1,
		Duplicates:  defaultDuplicates,
		AllowDirect: true,
	}
	if s.MaxMsgs > 0 {
		cfg.MaxMsgs = s.MaxMsgs
	}
	return cfg
}

// A stream create that fails is tried again createTries times in all,
// pausing createPause more each time: two creates of one stream at once
// (an origin's and an edge's) can make the server refuse one ("error
// creating store for stream") while the other is being made.
const (
	createTries = 3
	createPause = 50 * time.Millisecond
)

// defaultDuplicates is the stream's de-duplication window.
const defaultDuplicates = 2 * time.Minute

// EnsureStream creates the purge stream, or updates it to cfg's settings.
// It is idempotent; origins call it (NewPublisher does). The stream is
// created with cfg.Stream.Replicas replicas (more than one needs a NATS
// cluster of at least as many JetStream servers); an existing stream with
// another count is scaled to it. When the servers refuse to scale it (the
// cluster has fewer JetStream servers than the count; a server merely down
// does not make them refuse, they place a replica on it), the stream keeps
// its count and its other settings are updated: purges keep flowing, and
// the refusal is logged as an error naming both counts.
//
// A create that races another (an edge's openStream, another origin) may
// be refused by the server while the other is being made: it is tried
// again, at most createTries times in all.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg Config) (jetstream.Stream, error) {
	want := cfg.streamConfig()
	s, err := js.CreateOrUpdateStream(ctx, want)
	for try := 1; err != nil && try < createTries && ctx.Err() == nil; try++ {
		if !pause(ctx, time.Duration(try)*createPause) {
			break
		}
		s, err = js.CreateOrUpdateStream(ctx, want)
	}
	if err == nil {
		return s, nil
	}
	cur, serr := js.Stream(ctx, want.Name)
	if serr != nil {
		if want.Replicas > 1 {
			return nil, fmt.Errorf("nats: create stream %s with %d replicas (stream.replicas; needs a NATS cluster of as many JetStream servers): %w", want.Name, want.Replicas, err)
		}
		return nil, fmt.Errorf("nats: create or update stream %s: %w", want.Name, err)
	}
	have := cur.CachedInfo().Config.Replicas
	if have == want.Replicas {
		return nil, fmt.Errorf("nats: update stream %s: %w", want.Name, err)
	}
	keep := want
	keep.Replicas = have
	if s, kerr := js.UpdateStream(ctx, keep); kerr == nil {
		slog.Default().Error("purge stream not scaled: it keeps its replicas",
			"component", "nats", "stream", want.Name, "replicas", have, "stream.replicas", want.Replicas, "err", err)
		return s, nil
	}
	return nil, fmt.Errorf("nats: stream %s has %d replicas, stream.replicas is %d, and the servers refused the change: %w", want.Name, have, want.Replicas, err)
}

// openStream returns the purge stream, creating it with cfg's settings when
// it does not exist yet (an edge never changes an existing stream).
func openStream(ctx context.Context, js jetstream.JetStream, cfg Config) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, cfg.StreamName())
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg.streamConfig())
		if err != nil && pause(ctx, createPause) {
			// Made by someone else meanwhile (already in use), or
			// refused while another create of it was under way.
			s, err = js.Stream(ctx, cfg.StreamName())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("nats: open stream %s: %w", cfg.StreamName(), err)
	}
	return s, nil
}
