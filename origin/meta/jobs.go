package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Jobs: work an API call leaves to be done in the background
// (eager_async's eager images, async uploads). A job is written in the
// same transaction as the change that asks for it (Put and Update write
// the one WithJob puts in their context; EnqueueJob writes one alone), so
// an upload is never committed without its job nor a job left for an
// upload that was rolled back. A job whose work is itself a write (an
// async upload's Put) ends in that write's transaction (WithJobDone). Origins claim
// due jobs under a lease (ClaimJobs: on PostgreSQL FOR UPDATE SKIP
// LOCKED, so several origins never claim the same job), do them and
// record the outcome (FinishJob), which writes the job's notification to
// the outbox in the same transaction: a job's notification is written
// once, by the holder whose lease still holds. Jobs survive restarts: one
// whose holder died is claimed again when its lease ends.

// States of a job.
const (
	JobPending = "pending"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ErrJobQueueFull is returned by a write whose job would pass its
// cloud's MaxQueued pending jobs; nothing is written.
var ErrJobQueueFull = errors.New("meta: job queue full")

// ErrJobLost is returned by a write under WithJobDone whose holder no
// longer holds the job; nothing is written.
var ErrJobLost = errors.New("meta: job no longer held")

// Job is one piece of background work.
type Job struct {
	// ID is set by the store when the row is written.
	ID    int64
	Cloud string
	// Kind names the work ("eager"); Payload is the caller's description
	// of it (JSON), opaque to the store.
	Kind    string
	Payload []byte
	// Blob is a blob the job keeps until it ends ("": none): an async
	// upload's file. BlobRefs lists it while the job is pending.
	Blob string
	// MaxAttempts bounds the attempts: a job whose last attempt fails is
	// failed for good.
	MaxAttempts int

	// MaxQueued bounds the cloud's pending jobs (on write only): past it
	// the write fails with ErrJobQueueFull. 0 means no bound.
	MaxQueued int

	// What the store keeps of it (on reads).
	State     string
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// JobStore keeps the background jobs and their outcome.
type JobStore interface {
	// EnqueueJob writes j on its own (for work that changes no asset
	// yet); j.ID is set. Past j.MaxQueued it fails with ErrJobQueueFull.
	EnqueueJob(ctx context.Context, j *Job) error
	// ClaimJobs leases up to limit due pending jobs to holder for lease
	// (by the database's clock): no other holder claims them until
	// FinishJob or the lease's end. Attempts counts the attempts finished
	// before this one.
	ClaimJobs(ctx context.Context, holder string, limit int, lease time.Duration) ([]Job, error)
	// FinishJob records one attempt of holder's claim id: done when errMsg
	// is "", else failed with errMsg and tried again after retry unless
	// it was the job's last attempt or retry is negative (then it is
	// failed for good). When the
	// job ends (done or failed for good), the notifications of ns that are
	// not nil are written to the outbox in the same transaction. It returns the state the job is left
	// in ("" when holder's lease was lost: nothing is written).
	FinishJob(ctx context.Context, id int64, holder, errMsg string, retry time.Duration, ns []*Notification) (string, error)
	// ListJobs lists a cloud's jobs, newest first.
	ListJobs(ctx context.Context, cloud string, limit int) ([]Job, error)
	// PruneJobs deletes done and failed jobs last changed more than keep
	// ago.
	PruneJobs(ctx context.Context, keep time.Duration) (int64, error)
}

// jobsSchema is the jobs table, with the engine's id column. Times are
// unix nanoseconds by the database's clock.
func jobsSchema(id string) string {
	return `CREATE TABLE jobs (
		` + id + `,
		cloud        TEXT NOT NULL,
		kind         TEXT NOT NULL,
		payload      TEXT NOT NULL,
		blob         TEXT NOT NULL,
		state        TEXT NOT NULL,
		attempts     BIGINT NOT NULL,
		max_attempts BIGINT NOT NULL,
		next_attempt BIGINT NOT NULL,
		holder       TEXT NOT NULL,
		lease_until  BIGINT NOT NULL,
		last_error   TEXT NOT NULL,
		created_at   BIGINT NOT NULL,
		updated_at   BIGINT NOT NULL
	);
	CREATE INDEX jobs_due ON jobs (state, next_attempt);
	CREATE INDEX jobs_cloud ON jobs (cloud, state, id);`
}

// MakeJob makes the job a change asks for from the asset as the change
// leaves it; nil writes none. It runs inside the store's transaction
// (again if the transaction is run again): it must not call the store.
type MakeJob func(a *Asset) (*Job, error)

type jobKey struct{}

// jobDoneKey carries the job a write completes (WithJobDone).
type jobDoneKey struct{}

type jobDone struct {
	id     int64
	holder string
}

// WithJobDone returns a context whose Put or Update also marks holder's
// claim id done, in its transaction: the change is committed with the
// job's end, once, or (ErrJobLost: another holder has the job now) not
// at all.
func WithJobDone(ctx context.Context, id int64, holder string) context.Context {
	return context.WithValue(ctx, jobDoneKey{}, jobDone{id: id, holder: holder})
}

// WithJob returns a context whose Put or Update writes the job fn makes
// in its transaction.
func WithJob(ctx context.Context, fn MakeJob) context.Context {
	return context.WithValue(ctx, jobKey{}, fn)
}

// jobFor writes, in tx, the job the context asks for a, and marks done
// the job it completes.
func (s *db) jobFor(ctx context.Context, tx *txn, a *Asset) error {
	if done, ok := ctx.Value(jobDoneKey{}).(jobDone); ok {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'done', attempts = attempts + 1, holder = '',
			lease_until = 0, last_error = '', updated_at = `+s.d.now()+`
			WHERE id = ? AND holder = ? AND state = 'pending'`, done.id, done.holder)
		if err != nil {
			return fmt.Errorf("meta: jobs: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrJobLost
		}
	}
	fn, _ := ctx.Value(jobKey{}).(MakeJob)
	if fn == nil {
		return nil
	}
	j, err := fn(a)
	if err != nil || j == nil {
		return err
	}
	return s.insertJob(ctx, tx, j)
}

// EnqueueJob implements JobStore.
func (s *db) EnqueueJob(ctx context.Context, j *Job) error {
	return s.tx(ctx, func(tx *txn) error { return s.insertJob(ctx, tx, j) })
}

// insertJob writes j in tx unless its cloud has MaxQueued pending jobs.
func (s *db) insertJob(ctx context.Context, tx *txn, j *Job) error {
	j.ID = 0
	if j.MaxQueued > 0 {
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE cloud = ? AND state = 'pending'`,
			j.Cloud).Scan(&pending); err != nil {
			return fmt.Errorf("meta: jobs: %w", err)
		}
		if pending >= j.MaxQueued {
			return ErrJobQueueFull
		}
	}
	now := s.d.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO jobs (cloud, kind, payload, blob, state, attempts, max_attempts,
		next_attempt, holder, lease_until, last_error, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', 0, ?, `+now+`, '', 0, '', `+now+`, `+now+`)
		RETURNING id`, j.Cloud, j.Kind, string(j.Payload), j.Blob, max(j.MaxAttempts, 1)).Scan(&j.ID)
	if err != nil {
		return fmt.Errorf("meta: jobs: %w", err)
	}
	return nil
}

// ClaimJobs implements JobStore (claimDue).
func (s *db) ClaimJobs(ctx context.Context, holder string, limit int, lease time.Duration) ([]Job, error) {
	return claimDue(ctx, s, "jobs", holder, limit, lease, `id, cloud, kind, payload, blob, attempts, max_attempts, created_at`,
		func(rows *sql.Rows) (Job, error) {
			j := Job{State: JobPending}
			var payload string
			var created int64
			err := rows.Scan(&j.ID, &j.Cloud, &j.Kind, &payload, &j.Blob, &j.Attempts, &j.MaxAttempts, &created)
			j.Payload, j.CreatedAt = []byte(payload), time.Unix(0, created).UTC()
			return j, err
		})
}

// FinishJob implements JobStore.
func (s *db) FinishJob(ctx context.Context, id int64, holder, errMsg string, retry time.Duration, ns []*Notification) (string, error) {
	var state string
	err := s.tx(ctx, func(tx *txn) error {
		now := s.d.now()
		ok := 0
		if errMsg == "" {
			ok = 1
		}
		err := tx.QueryRowContext(ctx, `UPDATE jobs SET attempts = attempts + 1, holder = '', lease_until = 0,
			last_error = ?, updated_at = `+now+`,
			state = CASE WHEN ? = 1 THEN 'done' WHEN attempts + 1 >= max_attempts OR ? < 0 THEN 'failed' ELSE 'pending' END,
			next_attempt = `+now+` + ?
			WHERE id = ? AND holder = ? AND state = 'pending'
			RETURNING state`, errMsg, ok, retry.Nanoseconds(), retry.Nanoseconds(), id, holder).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			state = ""
			return nil
		}
		if err != nil {
			return fmt.Errorf("meta: jobs finish: %w", err)
		}
		if state == JobPending {
			return nil
		}
		return s.enqueueAll(ctx, tx, ns)
	})
	return state, err
}

// ListJobs implements JobStore.
func (s *db) ListJobs(ctx context.Context, cloud string, limit int) ([]Job, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, cloud, kind, payload, blob, state, attempts, max_attempts, last_error,
		created_at, updated_at FROM jobs WHERE cloud = ? ORDER BY id DESC LIMIT ?`, cloud, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: jobs list: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var j Job
		var payload string
		var created, updated int64
		if err := rows.Scan(&j.ID, &j.Cloud, &j.Kind, &payload, &j.Blob, &j.State, &j.Attempts, &j.MaxAttempts, &j.LastError,
			&created, &updated); err != nil {
			return nil, fmt.Errorf("meta: jobs list: %w", err)
		}
		j.Payload, j.CreatedAt, j.UpdatedAt = []byte(payload), time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}

// PruneJobs implements JobStore.
func (s *db) PruneJobs(ctx context.Context, keep time.Duration) (int64, error) {
	res, err := s.writes().ExecContext(ctx, `DELETE FROM jobs WHERE state <> 'pending' AND updated_at < `+
		s.d.now()+` - ?`, keep.Nanoseconds())
	if err != nil {
		return 0, fmt.Errorf("meta: jobs prune: %w", err)
	}
	return res.RowsAffected()
}
