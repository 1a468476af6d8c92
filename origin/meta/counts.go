package meta

import (
	"context"
	"fmt"
	"time"
)

// CountStore counts events per name in fixed time windows, over every
// origin of the store: the Admin API's hourly rate limit of a cloud is
// AddCount(name = the cloud's, window = the start of the hour, 1).
type CountStore interface {
	// AddCount adds n (0 reads) to name's count in the window starting
	// at window and returns the count after it, in one statement. The
	// first count of a new window drops name's earlier windows.
	AddCount(ctx context.Context, name string, window time.Time, n int64) (int64, error)
}

// AddCount implements CountStore.
func (s *db) AddCount(ctx context.Context, name string, window time.Time, n int64) (int64, error) {
	w := s.writes()
	var after int64
	err := w.QueryRowContext(ctx, `INSERT INTO window_counts (name, window_start, n) VALUES (?, ?, ?)
		ON CONFLICT (name, window_start) DO UPDATE SET n = window_counts.n + excluded.n
		RETURNING n`, name, window.UnixNano(), n).Scan(&after)
	if err != nil {
		return 0, fmt.Errorf("meta: count %s: %w", name, err)
	}
	if after == n {
		// The window's first count (or a read of an empty one): what came
		// before it is over.
		if _, err := w.ExecContext(ctx, `DELETE FROM window_counts WHERE name = ? AND window_start < ?`,
			name, window.UnixNano()); err != nil {
			return 0, fmt.Errorf("meta: count %s: %w", name, err)
		}
	}
	return after, nil
}
