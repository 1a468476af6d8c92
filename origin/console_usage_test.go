package origin_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The usage page charts today's figures against the cloud's limits and
// the last 7 days of each from the usage history, as inline SVG with
// classes (no inline style, which the CSP forbids).
func TestConsoleUsageCharts(t *testing.T) {
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret}
	cl.Admin.Limits = config.UsageLimits{Objects: 4, Transformations: 10}
	clock := &testClock{now: time.Now().UTC().Truncate(time.Second)} // a fixed day, even across midnight
	o := startOriginWith(t, nil, clock.Now, cl)
	ctx := context.Background()
	today := clock.Now()
	testkit.Eventually(t, testkit.Timeout, "today's figures recorded at start", func() bool {
		_, err := o.Store.Meta.DailyUsage(ctx, "demo", today.Format("2006-01-02"))
		return err == nil
	})
	seedAssets(t, o, "u", 3, nil)
	day := func(n int) string { return today.AddDate(0, 0, -n).Format("2006-01-02") }
	for n, objects := range map[int]int64{3: 8, 7: 100} {
		if err := o.Store.Meta.RecordDailyUsage(ctx, "demo", meta.DailyUsage{Day: day(n), Objects: objects, Resources: objects},
			today.AddDate(0, 0, -n)); err != nil {
			t.Fatal(err)
		}
	}
	c := newConsoleClient(t, o)
	c.mustSignIn()
	a := c.do(http.MethodGet, "/console/usage", nil)
	if a.status != http.StatusOK || strings.Contains(a.body, "style=") {
		t.Fatalf("usage: %d %s", a.status, a.body)
	}
	for _, want := range []string{
		// 3 objects of 4: 75%; 0 transformations of 10.
		`Objects: 3 of 4 \(75%\)</span>\s*<svg[^>]*>\s*<rect class="chart-track"[^>]*></rect>\s*<rect class="chart-used" x="0" y="0" width="75.00" height="6">`,
		`Transformations: 0 of 10 \(0%\)</span>\s*<svg[^>]*>\s*<rect class="chart-track"[^>]*></rect>\s*<rect class="chart-used" x="0" y="0" width="0.00" height="6">`,
		// Objects over 7 days: 8 three days ago is the highest, today's 3.
		`<figcaption id="history-0">Objects \(highest 8\)</figcaption>`,
		fmt.Sprintf(`x="31" y="0.00" width="8" height="40.00" data-day="%s"><title>%[1]s: 8</title>`, day(3)),
		fmt.Sprintf(`x="61" y="25.00" width="8" height="15.00" data-day="%s"><title>%[1]s: 3</title>`, day(0)),
		fmt.Sprintf(`x="1" y="40.00" width="8" height="0.00" data-day="%s"><title>%[1]s: 0</title>`, day(6)),
	} {
		if !regexp.MustCompile(want).MatchString(a.body) {
			t.Errorf("usage page lacks %s", want)
		}
	}
	if strings.Contains(a.body, day(7)) {
		t.Errorf("usage page shows %s, 7 days ago", day(7))
	}
	if t.Failed() {
		t.Log(a.body)
	}
}
