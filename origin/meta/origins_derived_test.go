package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
)

// Derived inserts of one asset on two PostgreSQL origins, and what they
// race with. Each test holds a transaction of its own open at the moment
// that matters and asks PostgreSQL which backends that transaction blocks
// (pg_blocking_pids): what it checks is who waits for whom, never how long.

// heldDerived begins a transaction that records a derived resource of the
// asset with the given ID and version, as another origin's PutDerived
// does, and leaves it open (the caller commits or rolls back): the asset
// row stays key-share locked by the derived row's foreign key, and the
// cloud's count of transformations made is added to in the one row it
// had before it was sharded (addCounter), which stays locked too.
func heldDerived(t *testing.T, db *sql.DB, asset, version int64, blob string) *sql.Tx {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO derived (asset, version, transformation, format, variant,
			bytes, width, height, etag, blob, created_at) VALUES ($1, $2, 'w_held', 'jpg', '', 1, 1, 1, 'e', $3, 0)`,
			[]any{asset, version, blob}},
		{`INSERT INTO counters (cloud, name, value) VALUES ('demo', $1, 1)
			ON CONFLICT (cloud, name) DO UPDATE SET value = counters.value + 1`, []any{counterTransformations}},
	} {
		if _, err := tx.Exec(q.sql, q.args...); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	return tx
}

// backendPID is the server process of a transaction.
func backendPID(t *testing.T, tx *sql.Tx) int {
	t.Helper()
	var pid int
	if err := tx.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

// lockWaiter returns the query of a backend that waits for a lock the
// backend blocker holds ("" if none does).
func lockWaiter(t *testing.T, db *sql.DB, blocker int) string {
	t.Helper()
	var q string
	err := db.QueryRow(`SELECT query FROM pg_stat_activity
		WHERE datname = current_database() AND $1 = ANY (pg_blocking_pids(pid)) LIMIT 1`, blocker).Scan(&q)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return q
}

// New derived images of one asset, made on two origins while a third
// origin's derived insert of the same asset is still open, are recorded
// without waiting for it: derived inserts do not lock their asset's row
// against each other (they did: FOR UPDATE, so that every new derived
// image of an asset queued behind the one before, across origins, holding
// a pooled connection while it waited), nor all add to one counter row
// (which then became the queue). The count of transformations made sums
// every shard.
func TestOriginsPutDerivedDoNotWaitForEachOther(t *testing.T) {
	pg := testservers.StartPostgres(t)
	a, b := openPostgres(t, pg.URL), openPostgres(t, pg.URL)
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	x := put(t, a, asset("pic", "orig"))
	sdb := pg.Open(t)
	held := heldDerived(t, sdb, x.Seq, x.Version, "held")
	defer held.Rollback()
	heldPID := backendPID(t, held)

	const inserts = 8
	done := make(chan error, inserts)
	for i := 0; i < inserts; i++ {
		s := []Store{a, b}[i%2]
		go func() {
			d := &Derived{DerivedKey: DerivedKey{Version: x.Version, Transformation: fmt.Sprintf("w_%d", i), Format: "jpg"},
				Blob: fmt.Sprint("b", i), CreatedAt: now}
			_, _, err := s.PutDerived(ctx, x.Key, d)
			done <- err
		}()
	}
	finished, waiter := 0, ""
	testkit.CheckFor(t, testkit.Timeout, func() error {
		for ; finished < inserts; finished++ {
			select {
			case err := <-done:
				if err != nil {
					t.Error(err)
				}
				continue
			default:
			}
			break
		}
		if finished == inserts {
			return nil
		}
		if waiter = lockWaiter(t, sdb, heldPID); waiter != "" {
			return nil
		}
		return fmt.Errorf("%d of %d derived inserts returned, none waits for the open one", finished, inserts)
	})
	if waiter != "" {
		held.Rollback() // let them go before failing
		for ; finished < inserts; finished++ {
			<-done
		}
		t.Fatalf("a derived insert waits for another origin's open derived insert of the same asset: %s", waiter)
	}
	if err := held.Commit(); err != nil {
		t.Fatal(err)
	}
	list, err := b.ListDerived(ctx, x.Key)
	if err != nil || len(list) != inserts+1 {
		t.Fatalf("ListDerived: %d, %v; want %d", len(list), err, inserts+1)
	}
	if u, err := a.Usage(ctx, "demo"); err != nil || u.Transformations != inserts+1 {
		t.Fatalf("usage %+v, %v: want %d transformations counted", u, err, inserts+1)
	}
}

// A derived image made from a version that an overwrite replaces while
// its record goes in is not recorded: the insert waits for the overwrite
// that locked the asset first, then finds the version gone (ErrStale), and
// no derived row of the old version is left behind. (Without the lock in
// the insert's read of the asset, the insert read the old version, the
// foreign key let it through after the overwrite, and the row stayed,
// pointing at a version that no longer exists.)
func TestOriginsPutDerivedRacingOverwrite(t *testing.T) {
	pg := testservers.StartPostgres(t)
	a := openPostgres(t, pg.URL)
	defer a.Close()
	ctx := context.Background()
	x := put(t, a, asset("pic", "orig"))
	sdb := pg.Open(t)
	// An overwrite in progress on another origin: the row locked, the
	// version moved on, derived images of other versions dropped.
	ow, err := sdb.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer ow.Rollback()
	owPID := backendPID(t, ow)
	for _, q := range []string{`SELECT id FROM assets WHERE id = $1 FOR UPDATE`,
		`UPDATE assets SET version = version + 1 WHERE id = $1`,
		`DELETE FROM derived WHERE asset = $1 AND version != (SELECT version FROM assets WHERE id = $1)`} {
		if _, err := ow.Exec(q, x.Seq); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		d := &Derived{DerivedKey: DerivedKey{Version: x.Version, Transformation: "w_1", Format: "jpg"}, Blob: "late", CreatedAt: now}
		_, _, err := a.PutDerived(ctx, x.Key, d)
		done <- err
	}()
	testkit.Eventually(t, testkit.Timeout, "the derived insert to wait for the overwrite",
		func() bool { return lockWaiter(t, sdb, owPID) != "" })
	if err := ow.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrStale) {
		t.Fatalf("PutDerived of a replaced version: %v, want ErrStale", err)
	}
	var n int
	if err := sdb.QueryRow(`SELECT count(*) FROM derived`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d derived rows (%v), want none: a record of a version that is gone", n, err)
	}
}

// A delete that comes while a derived record of its asset is going in
// waits for it, then drops it with the asset and gives its blob back as an
// orphan: nothing is left pointing at the deleted asset.
func TestOriginsDeleteRacingPutDerived(t *testing.T) {
	pg := testservers.StartPostgres(t)
	a := openPostgres(t, pg.URL)
	defer a.Close()
	ctx := context.Background()
	x := put(t, a, asset("pic", "orig"))
	sdb := pg.Open(t)
	held := heldDerived(t, sdb, x.Seq, x.Version, "in-flight")
	defer held.Rollback()
	heldPID := backendPID(t, held)
	type deleted struct {
		res PutResult
		err error
	}
	done := make(chan deleted, 1)
	go func() {
		res, err := a.Delete(ctx, x.Key)
		done <- deleted{res, err}
	}()
	testkit.Eventually(t, testkit.Timeout, "the delete to wait for the derived insert",
		func() bool { return lockWaiter(t, sdb, heldPID) != "" })
	if err := held.Commit(); err != nil {
		t.Fatal(err)
	}
	d := <-done
	if d.err != nil {
		t.Fatal(d.err)
	}
	found := false
	for _, o := range d.res.Orphans {
		found = found || o == "in-flight"
	}
	if !found {
		t.Fatalf("orphans %v: the derived blob committed before the delete is not among them", d.res.Orphans)
	}
	var n int
	if err := sdb.QueryRow(`SELECT count(*) FROM derived`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d derived rows (%v) after the delete, want none", n, err)
	}
}
