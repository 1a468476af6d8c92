package purge

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Publisher stores rules in the purge stream: the origin side. It is safe
// for concurrent use.
type Publisher struct {
	cfg Config
	js  jetstream.JetStream
}

// NewPublisher returns a publisher on nc after creating or updating the
// purge stream (EnsureStream).
func NewPublisher(ctx context.Context, nc *nats.Conn, cfg Config) (*Publisher, error) {
	cfg.ApplyDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	if _, err := EnsureStream(ctx, js, cfg); err != nil {
		return nil, err
	}
	return &Publisher{cfg: cfg, js: js}, nil
}

// NewID returns a fresh invalidation id.
func NewID() string { return nuid.Next() }

// Publish validates r, sets its ID when empty, and stores it in the stream
// on its cloud's subject. It returns only once the stream has acknowledged
// storing the rule, with the rule's sequence (also set in r.Seq); an
// invalidation must not be reported before that. Publishing the same ID
// again within two minutes stores nothing new and returns the first
// sequence, so a failed Publish can be retried.
func (p *Publisher) Publish(ctx context.Context, r *Rule) (uint64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if r.Cloud == "" {
		return 0, fmt.Errorf("%w: publish a flush per cloud", ErrInvalidRule)
	}
	if r.ID == "" {
		r.ID = NewID()
	}
	data, err := r.MarshalJSON()
	if err != nil {
		return 0, fmt.Errorf("purge: encode rule: %w", err)
	}
	ack, err := p.js.Publish(ctx, p.cfg.RuleSubject(r.Cloud), data,
		jetstream.WithMsgID(r.ID), jetstream.WithExpectStream(p.cfg.StreamName()))
	if err != nil {
		return 0, fmt.Errorf("nats: publish rule %s: %w", r.ID, err)
	}
	r.Seq = ack.Sequence
	return ack.Sequence, nil
}

// LastSeq returns the stream's last sequence: what a new invalidation's
// sequence will be above.
func (p *Publisher) LastSeq(ctx context.Context) (uint64, error) {
	s, err := p.js.Stream(ctx, p.cfg.StreamName())
	if err != nil {
		return 0, fmt.Errorf("nats: stream %s: %w", p.cfg.StreamName(), err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("nats: stream %s info: %w", p.cfg.StreamName(), err)
	}
	return info.State.LastSeq, nil
}
