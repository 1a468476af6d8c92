package origin_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// testClock is a clock a test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// TestConfigAndUsageByDate reads GET config with and without settings and
// the usage of past days with the Go SDK, on both metadata stores: a day's
// figures are those recorded that day, a day without any answers zeros.
func TestConfigAndUsageByDate(t *testing.T) {
	forEachMetaClock(t, testConfigAndUsageByDate)
}

// forEachMetaClock runs test against an origin of the demo cloud on each
// metadata store (SQLite, PostgreSQL), each with a clock of its own that
// the test moves, from now (uploads are signed with the real time).
func forEachMetaClock(t *testing.T, test func(t *testing.T, o *testOrigin, clock *testClock)) {
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var mutate func(*origin.Config)
			if engine == "postgres" {
				url := testservers.StartPostgres(t).URL
				mutate = func(c *origin.Config) { c.MetadataURL = url }
			}
			clock := &testClock{now: time.Now().UTC().Truncate(time.Second)}
			test(t, startOriginWith(t, mutate, clock.Now, cl), clock)
		})
	}
}

// TestUsageReadWritesNothing reads today's usage, with the Go SDK and
// by date, on both metadata stores: the figures are counted live, and the
// day's row stays as the usage recorder wrote it.
func TestUsageReadWritesNothing(t *testing.T) { forEachMetaClock(t, testUsageReadWritesNothing) }

func testUsageReadWritesNothing(t *testing.T, o *testOrigin, clock *testClock) {
	ctx := context.Background()
	day := clock.Now().Format("2006-01-02")
	var recorded *meta.DailyUsage
	testkit.Eventually(t, testkit.Timeout, "today's figures recorded at start", func() bool {
		var err error
		recorded, err = o.Store.Meta.DailyUsage(ctx, "demo", day)
		return err == nil
	})
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	today, err := o.Cld.Admin.Usage(ctx, admin.UsageParams{})
	if err != nil || int64(today.Resources) != recorded.Resources+1 {
		t.Fatalf("today's figures are counted live: %+v %v (recorded %+v)", today, err, recorded)
	}
	byDate, err := o.Cld.Admin.Usage(ctx, admin.UsageParams{Date: clock.Now()})
	if err != nil || int64(byDate.Resources) != recorded.Resources+1 {
		t.Fatalf("today's figures by date: %+v %v", byDate, err)
	}
	if after, err := o.Store.Meta.DailyUsage(ctx, "demo", day); err != nil || *after != *recorded {
		t.Fatalf("reading today's usage wrote the day's row: %+v %v, was %+v", after, err, recorded)
	}
	if err := o.Server.RecordUsage(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if after, err := o.Store.Meta.DailyUsage(ctx, "demo", day); err != nil || after.Resources != recorded.Resources+1 {
		t.Fatalf("the recorder's write: %+v %v", after, err)
	}
}

func testConfigAndUsageByDate(t *testing.T, o *testOrigin, clock *testClock) {
	ctx := context.Background()
	adm := o.Cld.Admin
	day1 := clock.Now()
	// The recorder writes today's figures when the origin starts, before
	// anyone reads them.
	testkit.Eventually(t, testkit.Timeout, "today's figures recorded at start", func() bool {
		_, err := o.Store.Meta.DailyUsage(ctx, "demo", day1.Format("2006-01-02"))
		return err == nil
	})
	cfg, err := adm.GetConfig(ctx, admin.GetConfigParams{Settings: api.Bool(true)})
	if err != nil || cfg.Error.Message != "" || cfg.CloudName != "demo" || !cfg.CreatedAt.Equal(day1) || cfg.Settings.FolderMode != "dynamic" {
		t.Fatalf("config: %+v %v", cfg, err)
	}
	if a := adminGet(t, o, "config"); a.status != 200 || a.body["settings"] != nil || a.body["created_at"] != day1.Format(time.RFC3339) {
		t.Fatalf("config without settings: %s", a.raw)
	}
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	today, err := adm.Usage(ctx, admin.UsageParams{})
	if err != nil || today.Resources != 1 || today.LastUpdated != day1.Format("2006-01-02") {
		t.Fatalf("today: %+v %v", today, err)
	}
	if err := o.Server.RecordUsage(ctx, "demo"); err != nil { // the recorder's hourly write
		t.Fatal(err)
	}

	clock.Add(48 * time.Hour)
	if _, err := o.Cld.Admin.DeleteAssets(ctx, admin.DeleteAssetsParams{PublicIDs: api.CldAPIArray{"pic"}}); err != nil {
		t.Fatal(err)
	}
	past, err := adm.Usage(ctx, admin.UsageParams{Date: day1})
	if err != nil || past.Error.Message != "" || past.Resources != 1 || past.Storage.Usage != int64(up.Bytes) || past.Plan == "" {
		t.Fatalf("a past day: %+v %v", past, err)
	}
	if a := adminGet(t, o, "usage?date="+day1.Format("2006-01-02")); a.status != 200 || a.body["resources"] != float64(1) ||
		fmt.Sprint(a.body["bandwidth"]) != "map[usage:0]" {
		t.Fatalf("date=yyyy-mm-dd (a past day's figures have no limit): %s", a.raw)
	}
	if a := adminGet(t, o, "usage"); a.status != 200 || fmt.Sprint(a.body["bandwidth"]) != "map[limit:0 usage:0 used_percent:0]" {
		t.Fatalf("today's figures have their limit: %s", a.raw)
	}
	empty, err := adm.Usage(ctx, admin.UsageParams{Date: day1.AddDate(0, 0, -5)})
	if err != nil || empty.Error.Message != "" || empty.Resources != 0 || empty.Plan == "" || empty.LastUpdated != day1.AddDate(0, 0, -5).Format("2006-01-02") {
		t.Fatalf("a day without figures: %+v %v", empty, err)
	}
	now, err := adm.Usage(ctx, admin.UsageParams{Date: clock.Now()})
	if err != nil || now.Resources != 0 {
		t.Fatalf("today by date: %+v %v", now, err)
	}
	future, err := adm.Usage(ctx, admin.UsageParams{Date: clock.Now().AddDate(0, 0, 1)})
	if err != nil || future.Error.Message == "" {
		t.Fatalf("a future day: %+v %v", future, err)
	}
	if a := adminGet(t, o, "usage/31-02-2026"); a.status != 400 {
		t.Fatalf("an invalid date: %s", a.raw)
	}
}
