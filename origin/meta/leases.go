package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LeaseStore gives work that must run once across origins to one of
// them at a time: a lease is a name (the work: "backups:prune",
// "eager:<asset>:<version>"...) held by one holder (an origin's random
// ID) until it expires, by the database's clock. The holder renews it
// while the work runs and releases it when done; if its origin dies, the
// lease expires and another origin takes it. Each call is one statement,
// so two origins taking a lease at once cannot both get it.
type LeaseStore interface {
	// TakeLease takes the lease name for holder for ttl: true when it was
	// free, expired or already holder's (then its expiry moves to ttl
	// from now), false when another holder has it.
	TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// RenewLease moves the expiry of holder's lease to ttl from now:
	// false when holder no longer has it (another took it after it
	// expired, or it was released). A lease that expired but that no one
	// took is renewed: no one else can have worked under it.
	RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	// ReleaseLease frees holder's lease at once (nothing when another
	// holder has it).
	ReleaseLease(ctx context.Context, name, holder string) error
}

// TakeLease implements LeaseStore: an insert that, on a lease already
// there, takes it over only when it has expired or is holder's.
func (s *db) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.d.now()
	var got string
	err := s.writes().QueryRowContext(ctx, `INSERT INTO leases (name, holder, expires) VALUES (?, ?, `+now+` + ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE leases.expires <= `+now+` OR leases.holder = excluded.holder
		RETURNING holder`, name, holder, ttl.Nanoseconds()).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("meta: take lease %s: %w", name, err)
	}
	return got == holder, nil
}

// RenewLease implements LeaseStore.
func (s *db) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	res, err := s.writes().ExecContext(ctx, `UPDATE leases SET expires = `+s.d.now()+` + ?
		WHERE name = ? AND holder = ?`, ttl.Nanoseconds(), name, holder)
	if err != nil {
		return false, fmt.Errorf("meta: renew lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("meta: renew lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease implements LeaseStore.
func (s *db) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.writes().ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("meta: release lease %s: %w", name, err)
	}
	return nil
}
