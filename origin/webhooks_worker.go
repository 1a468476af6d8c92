package origin

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/metrics"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/origin/remote"
)

// webhookSender is an origin's worker that sends the webhooks due in the
// outbox: every PollInterval (and at once after a change this origin
// served) it claims up to Concurrency of them under a lease in the
// metadata store, so that each is sent by one origin however many share
// it, POSTs them through the SSRF guard, and records each outcome: sent,
// to be tried again after a backoff, or failed once RetryFor is over.
type webhookSender struct {
	s      *Server
	cfg    Webhooks
	client *remote.Fetcher
	worker

	sent    atomic.Int64 // webhooks delivered
	retried atomic.Int64 // attempts that failed, to be tried again
	failed  atomic.Int64 // webhooks given up after RetryFor
	dropped atomic.Int64 // webhooks never written (a bound)
}

// webhookPruneEvery is how often delivered and failed webhooks older than
// KeepFor are deleted.
const webhookPruneEvery = time.Hour

func newWebhookSender(s *Server) *webhookSender {
	cfg := s.cfg.Webhooks
	return &webhookSender{s: s, cfg: cfg, worker: newWorker(),
		client: remote.New(remote.Options{Timeout: cfg.Timeout, AllowNetworks: s.cfg.Fetch.AllowNetworks})}
}

// start runs the worker (once).
func (w *webhookSender) start() {
	w.worker.start(w.cfg.PollInterval, webhookPruneEvery, w.round, w.prune)
}

// close stops the worker, after the webhooks being sent (at most Timeout).
func (w *webhookSender) close() { w.worker.close(nil) }

// lease is how long a claim is held: past it another origin may send the
// webhook again (this one having died while sending).
func (w *webhookSender) lease() time.Duration { return 2*w.cfg.Timeout + 30*time.Second }

// round sends the webhooks due, Concurrency at a time, until none is due
// or the worker is stopped.
func (w *webhookSender) round() {
	claimRounds(&w.worker, w.cfg.Concurrency, func(max int) ([]meta.Notification, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		due, err := w.s.meta.ClaimNotifications(ctx, w.s.holder, max, w.lease())
		if err != nil {
			w.s.log.Error("webhooks: claim", "err", err)
		}
		return due, err == nil
	}, w.send)
}

// send POSTs one webhook and records the outcome.
func (w *webhookSender) send(n meta.Notification) {
	err := errors.New("unknown cloud")
	if cl, ok := w.s.clouds[n.Cloud]; ok {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("X-Cld-Timestamp", ts)
		h.Set("X-Cld-Signature", signWebhook(n.Body, ts, cl.APISecret, n.Algorithm))
		ctx, cancel := context.WithTimeout(context.Background(), w.cfg.Timeout)
		err = w.client.Post(ctx, n.URL, h, n.Body)
		cancel()
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	state, ferr := w.s.meta.FinishNotification(ctx, n.ID, w.s.holder, err == nil, msg, webhookBackoff(w.cfg, n.Attempts+1))
	switch {
	case ferr != nil:
		w.s.log.Error("webhooks: record", "id", n.ID, "err", ferr)
	case state == meta.NotificationDelivered:
		w.sent.Add(1)
	case state == meta.NotificationPending:
		w.retried.Add(1)
		w.s.log.Info("webhook not delivered; will retry", "id", n.ID, "url", n.URL, "err", msg)
	case state == meta.NotificationFailed:
		w.failed.Add(1)
		w.s.log.Warn("webhook failed for good", "id", n.ID, "url", n.URL, "attempts", n.Attempts+1, "err", msg)
	}
}

// prune deletes delivered and failed webhooks older than KeepFor.
func (w *webhookSender) prune() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := w.s.meta.PruneNotifications(ctx, w.cfg.KeepFor); err != nil {
		w.s.log.Error("webhooks: prune", "err", err)
	}
}

// writeMetrics renders the webhook counters, and the pending gauge read
// from the store (every origin's).
func (w *webhookSender) writeMetrics(out io.Writer) {
	metrics.Counter(out, "mediacdn_origin_webhooks_sent_total", "Webhooks delivered by this origin.", w.sent.Load())
	metrics.Counter(out, "mediacdn_origin_webhooks_retried_total", "Webhook attempts that failed and will be tried again.", w.retried.Load())
	metrics.Counter(out, "mediacdn_origin_webhooks_failed_total", "Webhooks given up after webhooks.retry_for.", w.failed.Load())
	metrics.Counter(out, "mediacdn_origin_webhooks_dropped_total", "Webhooks never queued (webhooks.max_pending_per_cloud or max_body_size).", w.dropped.Load())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if counts, err := w.s.meta.NotificationCounts(ctx); err == nil {
		metrics.Gauge(out, "mediacdn_origin_webhooks_pending", "Webhooks waiting to be sent, by every origin of the store.", float64(counts[meta.NotificationPending]))
	}
}
