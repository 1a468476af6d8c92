package purge

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Publisher stores rules in the purge stream: the origin side. It is safe
// for concurrent use.
type Publisher struct {
	cfg Config
	js  jetstream.JetStream

	retries atomic.Uint64
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
// invalidation must not be reported before that.
//
// The rule's ID is its message id (Nats-Msg-Id): publishing the same ID
// again within two minutes stores nothing new and returns the first
// sequence. Publish relies on it to retry, with backoff, an attempt whose
// acknowledgement did not come within publishAttemptTimeout (the server
// died, the stream's leader is being elected, the client is reconnecting)
// until ctx ends or cfg.PublishTimeout has passed; a caller may retry a
// failed Publish the same way.
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
	ctx, cancel := context.WithTimeout(ctx, p.cfg.PublishTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, publishAttemptTimeout)
		ack, err := p.js.Publish(actx, p.cfg.RuleSubject(r.Cloud), data,
			jetstream.WithMsgID(r.ID), jetstream.WithExpectStream(p.cfg.StreamName()))
		acancel()
		if err == nil {
			r.Seq = ack.Sequence
			return ack.Sequence, nil
		}
		if ctx.Err() != nil || !retryable(err) {
			return 0, fmt.Errorf("nats: publish rule %s (%d attempts): %w", r.ID, attempt, err)
		}
		p.retries.Add(1)
		if !pause(ctx, backoff(p.cfg.ReconnectWait, p.cfg.ReconnectMaxWait, attempt)) {
			return 0, fmt.Errorf("nats: publish rule %s (%d attempts): %w", r.ID, attempt, err)
		}
	}
}

// publishAttemptTimeout bounds one attempt of Publish: how long it waits
// for the stream's acknowledgement before publishing again.
const publishAttemptTimeout = 2 * time.Second

// retryable reports whether a failed publish may succeed when tried again:
// everything but a closed connection and a JetStream refusal other than
// "unavailable" (a mismatched stream, a bad request).
func retryable(err error) bool {
	if errors.Is(err, nats.ErrConnectionClosed) {
		return false
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code == 503 || apiErr.Code == 408 || apiErr.Code == 0
	}
	return true
}

// Retries counts the publish attempts made again after a failure.
func (p *Publisher) Retries() uint64 { return p.retries.Load() }

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
