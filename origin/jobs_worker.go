package origin

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/metrics"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// jobRunner is an origin's worker that does the background jobs due in
// the metadata store (jobs_config.go): every PollInterval (and at once
// after a call this origin served adds one) it claims up to Concurrency
// of them under a lease, so that each is done by one origin however many
// share the store, does each within Timeout, and records the outcome with
// the job's notifications (meta.FinishJob: written once, when the job
// ends). A job cut short by the origin stopping is left to its lease's
// end, then claimed again (by this origin restarted, or another).
type jobRunner struct {
	s     *Server
	cfg   Jobs
	kinds map[string]jobFunc
	worker
	// base is cancelled when the worker stops: the jobs in progress stop.
	base   context.Context
	cancel context.CancelFunc

	finished atomic.Int64 // jobs done
	retried  atomic.Int64 // attempts that failed, to be tried again
	failed   atomic.Int64 // jobs failed for good
}

// jobFunc does one job. It returns the notifications the job's end sends
// (none: nil): of the outcome when it succeeds, of err when it fails (sent
// only when that was the last attempt, or err is a finalJobError), and
// what to clean up when it fails for good (nil: nothing).
type jobFunc func(ctx context.Context, j meta.Job) (ns []*meta.Notification, cleanup func(), err error)

// finalJobError fails a job for good, without another attempt.
type finalJobError struct{ error }

func (e finalJobError) Unwrap() error { return e.error }

// jobPruneEvery is how often done and failed jobs older than KeepFor are
// deleted.
const jobPruneEvery = time.Hour

func newJobRunner(s *Server) *jobRunner {
	base, cancel := context.WithCancel(context.Background())
	w := &jobRunner{s: s, cfg: s.cfg.Jobs, worker: newWorker(), base: base, cancel: cancel}
	w.kinds = map[string]jobFunc{jobEager: s.runEagerJob, jobUpload: s.runUploadJob, jobMade: s.runMadeJob}
	return w
}

// start runs the worker (once), unless the configuration disables it.
func (w *jobRunner) start() {
	if !w.cfg.Disabled {
		w.worker.start(w.cfg.PollInterval, jobPruneEvery, w.round, w.prune)
	}
}

// close stops the worker: the jobs in progress are cut short and left to
// their lease's end.
func (w *jobRunner) close() { w.worker.close(w.cancel) }

// lease is how long a claim is held: past it another origin may do the
// job again (this one having died while doing it).
func (w *jobRunner) lease() time.Duration { return w.cfg.Timeout + 30*time.Second }

// round does the jobs due, Concurrency at a time, until none is due or
// the worker is stopped.
func (w *jobRunner) round() {
	claimRounds(&w.worker, w.cfg.Concurrency, func(max int) ([]meta.Job, bool) {
		ctx, cancel := context.WithTimeout(w.base, 10*time.Second)
		defer cancel()
		due, err := w.s.meta.ClaimJobs(ctx, w.s.holder, max, w.lease())
		if err != nil && w.base.Err() == nil {
			w.s.log.Error("jobs: claim", "err", err)
		}
		return due, err == nil
	}, w.do)
}

// do runs one job and records the outcome.
func (w *jobRunner) do(j meta.Job) {
	run, ok := w.kinds[j.Kind]
	var ns []*meta.Notification
	var cleanup func()
	err := errors.New("unknown job kind")
	if ok {
		ctx, cancel := context.WithTimeout(w.base, w.cfg.Timeout)
		ns, cleanup, err = run(ctx, j)
		cancel()
	}
	if w.base.Err() != nil {
		return // stopped: the job is claimed again at its lease's end
	}
	msg := ""
	if err != nil {
		msg = delivery.AsError(err).Message // what the notification and the store say; the cause is logged
	}
	retry := w.cfg.RetryAfter
	if errors.As(err, new(finalJobError)) {
		retry = -1 // failed for good
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	state, ferr := w.s.meta.FinishJob(ctx, j.ID, w.s.holder, msg, retry, ns)
	switch {
	case ferr != nil:
		w.s.log.Error("jobs: record", "id", j.ID, "err", ferr)
	case state == meta.JobDone || (err == nil && state == ""):
		w.finished.Add(1) // "": an async upload's store write ended the job
	case state == meta.JobPending:
		w.retried.Add(1)
		w.s.log.Info("job failed; will retry", "id", j.ID, "kind", j.Kind, "err", err)
	case state == meta.JobFailed:
		w.failed.Add(1)
		w.s.log.Warn("job failed for good", "id", j.ID, "kind", j.Kind, "attempts", j.Attempts+1, "err", err)
	}
	if state == meta.JobFailed && cleanup != nil {
		cleanup()
	}
	w.s.webhooks.wake()
}

// prune deletes done and failed jobs older than KeepFor.
func (w *jobRunner) prune() {
	ctx, cancel := context.WithTimeout(w.base, time.Minute)
	defer cancel()
	if _, err := w.s.meta.PruneJobs(ctx, w.cfg.KeepFor); err != nil && w.base.Err() == nil {
		w.s.log.Error("jobs: prune", "err", err)
	}
}

// writeMetrics renders the job counters.
func (w *jobRunner) writeMetrics(out io.Writer) {
	metrics.Counter(out, "mediacdn_origin_jobs_done_total", "Background jobs (eager_async) done by this origin.", w.finished.Load())
	metrics.Counter(out, "mediacdn_origin_jobs_retried_total", "Background job attempts that failed and will be tried again.", w.retried.Load())
	metrics.Counter(out, "mediacdn_origin_jobs_failed_total", "Background jobs failed for good after jobs.max_attempts.", w.failed.Load())
}
