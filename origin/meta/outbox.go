package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// The outbox: webhooks (notification_url) waiting to be sent. A
// notification is written in the same transaction as the change it tells
// of (Put, Update, Delete and Rename write the one WithNotify puts in
// their context), so a change is never committed without its
// notification nor a notification sent for a change that was rolled
// back. Origins claim due rows under a lease (ClaimNotifications: on
// PostgreSQL FOR UPDATE SKIP LOCKED, so several origins never claim the
// same row), send them and record the outcome (FinishNotification). Rows
// stay after a restart; delivered and failed ones are kept for a while
// (PruneNotifications) so the outcome can be looked up.

// States of a notification.
const (
	NotificationPending   = "pending"
	NotificationDelivered = "delivered"
	NotificationFailed    = "failed"
)

// Notification is one webhook in the outbox.
type Notification struct {
	// ID is set by the store when the row is written (0: not written, the
	// cloud had MaxPending pending notifications already).
	ID    int64
	Cloud string
	// URL is where it is POSTed.
	URL string
	// Body is the JSON sent.
	Body []byte
	// Algorithm is the signature's hash: "sha1" or "sha256".
	Algorithm string

	// RetryFor bounds the time over which a failed send is tried again,
	// from the write (on write only).
	RetryFor time.Duration
	// MaxPending bounds the cloud's pending notifications: past it the
	// notification is not written (ID stays 0) and Dropped, when set, is
	// called (in the transaction: one run again may call it again). 0
	// means no bound (on write only).
	MaxPending int
	Dropped    func()

	// What the store keeps of its delivery (on reads).
	State     string
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	// NextAttempt is when a pending notification is sent next (on
	// NotificationsPage and Notification).
	NextAttempt time.Time
}

// OutboxStore keeps the notifications waiting to be sent and their
// outcome.
type OutboxStore interface {
	// EnqueueNotification writes n on its own (for changes whose write
	// path has no transaction to write it in); n.ID is set.
	EnqueueNotification(ctx context.Context, n *Notification) error
	// ClaimNotifications leases up to limit due pending notifications to
	// holder for lease (by the database's clock): no other holder claims
	// them until FinishNotification or the lease's end.
	ClaimNotifications(ctx context.Context, holder string, limit int, lease time.Duration) ([]Notification, error)
	// FinishNotification records one attempt of holder's claim id: sent,
	// or failed with errMsg and to be tried again after retry, unless that
	// is past the notification's RetryFor (then it is failed for good).
	// It returns the state the notification is left in ("" when holder's
	// lease was lost).
	FinishNotification(ctx context.Context, id int64, holder string, sent bool, errMsg string, retry time.Duration) (string, error)
	// NotificationCounts counts notifications by state.
	NotificationCounts(ctx context.Context) (map[string]int64, error)
	// NotificationsPage lists a cloud's notifications newest first, those
	// in state (any when ""), with an ID below before (from the newest
	// when 0), at most limit.
	NotificationsPage(ctx context.Context, cloud, state string, before int64, limit int) ([]Notification, error)
	// Notification finds one of a cloud's notifications; ErrNotFound when
	// there is none.
	Notification(ctx context.Context, cloud string, id int64) (*Notification, error)
	// PruneNotifications deletes delivered and failed notifications last
	// changed more than keep ago.
	PruneNotifications(ctx context.Context, keep time.Duration) (int64, error)
}

// outboxSchema is the outbox table, with the engine's id column. Times
// are unix nanoseconds by the database's clock.
func outboxSchema(id string) string {
	return `CREATE TABLE outbox (
		` + id + `,
		cloud        TEXT NOT NULL,
		url          TEXT NOT NULL,
		body         TEXT NOT NULL,
		algorithm    TEXT NOT NULL,
		state        TEXT NOT NULL,
		attempts     BIGINT NOT NULL,
		next_attempt BIGINT NOT NULL,
		give_up_at   BIGINT NOT NULL,
		holder       TEXT NOT NULL,
		lease_until  BIGINT NOT NULL,
		last_error   TEXT NOT NULL,
		created_at   BIGINT NOT NULL,
		updated_at   BIGINT NOT NULL
	);
	CREATE INDEX outbox_due ON outbox (state, next_attempt);
	CREATE INDEX outbox_cloud ON outbox (cloud, state, id);`
}

// Notify makes the notifications of a change from the asset as the
// change leaves it (a deleted asset as it was): one per URL to send it to
// (the call's notification_url, the cloud's triggers); none for nil ones.
// It runs inside the store's transaction (again if the transaction is run
// again): it must not call the store.
type Notify func(a *Asset) ([]*Notification, error)

// NotifyDeleted makes the notifications of a bulk deletion from the
// assets whose originals it deleted (DeleteAssets; never called with
// none). It runs as Notify does.
type NotifyDeleted func(deleted []DeletedAsset) ([]*Notification, error)

type notifyKey struct{}

type notifyDeletedKey struct{}

// WithNotify returns a context whose Put, Update, Delete or Rename writes
// the notifications fn makes in its transaction.
func WithNotify(ctx context.Context, fn Notify) context.Context {
	return context.WithValue(ctx, notifyKey{}, fn)
}

// WithNotifyDeleted returns a context whose DeleteAssets writes the
// notifications fn makes in its transaction.
func WithNotifyDeleted(ctx context.Context, fn NotifyDeleted) context.Context {
	return context.WithValue(ctx, notifyDeletedKey{}, fn)
}

// notify writes, in tx, the job (jobs.go) and the notifications the
// context asks for a.
func (s *db) notify(ctx context.Context, tx *txn, a *Asset) error {
	if err := s.jobFor(ctx, tx, a); err != nil {
		return err
	}
	fn, _ := ctx.Value(notifyKey{}).(Notify)
	if fn == nil {
		return nil
	}
	list, err := fn(a)
	if err != nil {
		return err
	}
	return s.enqueueAll(ctx, tx, list)
}

// notifyDeleted writes, in tx, the notifications the context asks for a
// bulk deletion's result.
func (s *db) notifyDeleted(ctx context.Context, tx *txn, res []DeletedAsset) error {
	fn, _ := ctx.Value(notifyDeletedKey{}).(NotifyDeleted)
	if fn == nil {
		return nil
	}
	var gone []DeletedAsset
	for _, d := range res {
		if d.Found && d.Original == 1 {
			gone = append(gone, d)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	list, err := fn(gone)
	if err != nil {
		return err
	}
	return s.enqueueAll(ctx, tx, list)
}

// enqueueAll writes the notifications of list that are not nil.
func (s *db) enqueueAll(ctx context.Context, tx *txn, list []*Notification) error {
	pending := map[string]int{} // per cloud, counted once per transaction
	for _, n := range list {
		if n == nil {
			continue
		}
		if err := s.enqueue(ctx, tx, n, pending); err != nil {
			return err
		}
	}
	return nil
}

// enqueue writes n in tx unless its cloud has MaxPending pending already
// (a bound checked in the transaction: two at once on PostgreSQL may pass
// it by one each). pending holds the clouds' pending counts read so far in
// tx, each cloud's read once and then kept up to date.
func (s *db) enqueue(ctx context.Context, tx *txn, n *Notification, pending map[string]int) error {
	n.ID = 0
	if n.MaxPending > 0 {
		count, ok := pending[n.Cloud]
		if !ok {
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE cloud = ? AND state = 'pending'`,
				n.Cloud).Scan(&count); err != nil {
				return fmt.Errorf("meta: outbox: %w", err)
			}
		}
		pending[n.Cloud] = count
		if count >= n.MaxPending {
			if n.Dropped != nil {
				n.Dropped()
			}
			return nil
		}
	}
	alg := n.Algorithm
	if alg == "" {
		alg = "sha1"
	}
	now := s.d.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO outbox (cloud, url, body, algorithm, state, attempts, next_attempt,
		give_up_at, holder, lease_until, last_error, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'pending', 0, `+now+`, `+now+` + ?, '', 0, '', `+now+`, `+now+`)
		RETURNING id`, n.Cloud, n.URL, string(n.Body), alg, n.RetryFor.Nanoseconds()).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("meta: outbox: %w", err)
	}
	if c, ok := pending[n.Cloud]; ok {
		pending[n.Cloud] = c + 1
	}
	return nil
}

// EnqueueNotification implements OutboxStore.
func (s *db) EnqueueNotification(ctx context.Context, n *Notification) error {
	return s.tx(ctx, func(tx *txn) error { return s.enqueueAll(ctx, tx, []*Notification{n}) })
}

// ClaimNotifications implements OutboxStore (claimDue).
func (s *db) ClaimNotifications(ctx context.Context, holder string, limit int, lease time.Duration) ([]Notification, error) {
	return claimDue(ctx, s, "outbox", holder, limit, lease, `id, cloud, url, body, algorithm, attempts, created_at`,
		func(rows *sql.Rows) (Notification, error) {
			n := Notification{State: NotificationPending}
			var body string
			var created int64
			err := rows.Scan(&n.ID, &n.Cloud, &n.URL, &body, &n.Algorithm, &n.Attempts, &created)
			n.Body, n.CreatedAt = []byte(body), time.Unix(0, created).UTC()
			return n, err
		})
}

// FinishNotification implements OutboxStore.
func (s *db) FinishNotification(ctx context.Context, id int64, holder string, sent bool, errMsg string, retry time.Duration) (string, error) {
	now := s.d.now()
	ok := 0
	if sent {
		ok = 1
	}
	var state string
	err := s.writes().QueryRowContext(ctx, `UPDATE outbox SET attempts = attempts + 1, holder = '', lease_until = 0,
		last_error = ?, updated_at = `+now+`,
		state = CASE WHEN ? = 1 THEN 'delivered' WHEN `+now+` + ? >= give_up_at THEN 'failed' ELSE 'pending' END,
		next_attempt = `+now+` + ?
		WHERE id = ? AND holder = ? AND state = 'pending'
		RETURNING state`, errMsg, ok, retry.Nanoseconds(), retry.Nanoseconds(), id, holder).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("meta: outbox finish: %w", err)
	}
	return state, nil
}

// NotificationCounts implements OutboxStore.
func (s *db) NotificationCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("meta: outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("meta: outbox counts: %w", err)
		}
		out[state] = n
	}
	return out, rows.Err()
}

// PruneNotifications implements OutboxStore.
func (s *db) PruneNotifications(ctx context.Context, keep time.Duration) (int64, error) {
	res, err := s.writes().ExecContext(ctx, `DELETE FROM outbox WHERE state <> 'pending' AND updated_at < `+
		s.d.now()+` - ?`, keep.Nanoseconds())
	if err != nil {
		return 0, fmt.Errorf("meta: outbox prune: %w", err)
	}
	return res.RowsAffected()
}

const notificationColumns = `id, cloud, url, body, algorithm, state, attempts, last_error, created_at, updated_at,
	next_attempt`

func scanNotification(r rowScanner) (*Notification, error) {
	var n Notification
	var body string
	var created, updated, next int64
	err := r.Scan(&n.ID, &n.Cloud, &n.URL, &body, &n.Algorithm, &n.State, &n.Attempts, &n.LastError,
		&created, &updated, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: outbox read: %w", err)
	}
	n.Body, n.CreatedAt, n.UpdatedAt = []byte(body), time.Unix(0, created).UTC(), time.Unix(0, updated).UTC()
	n.NextAttempt = time.Unix(0, next).UTC()
	return &n, nil
}

// NotificationsPage implements OutboxStore.
func (s *db) NotificationsPage(ctx context.Context, cloud, state string, before int64, limit int) ([]Notification, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+notificationColumns+` FROM outbox
		WHERE cloud = ? AND (? = '' OR state = ?) AND id < ? ORDER BY id DESC LIMIT ?`,
		cloud, state, state, before, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: outbox page: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, rows.Err()
}

// Notification implements OutboxStore.
func (s *db) Notification(ctx context.Context, cloud string, id int64) (*Notification, error) {
	return scanNotification(s.r.QueryRowContext(ctx, `SELECT `+notificationColumns+` FROM outbox
		WHERE cloud = ? AND id = ?`, cloud, id))
}
