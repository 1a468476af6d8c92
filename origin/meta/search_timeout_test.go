package meta

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestQueryStopsAtDeadline checks that both databases stop a query when
// its context ends (the origin's search_timeout counts on it): a query
// that would count to 10^12 ends with an error once its deadline passes.
func TestQueryStopsAtDeadline(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		var n int64
		err := rawDB(s).r.QueryRowContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000)
			SELECT count(*) FROM n`).Scan(&n)
		if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("count %d, %v", n, err)
		}
		t.Logf("stopped: %v", err)
	})
}
