package app

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/testkit"
)

// mediacdn purge takes a key and its secret together: one without the
// other is refused, naming the missing one, before anything is sent (the
// built-in dev credentials would otherwise have been used, and worked):
// the origin's count of API requests does not move, while each purge that
// is sent moves it by one.
func TestPurgeCredentialsComeTogether(t *testing.T) {
	cluster := startCaughtUp(t, ClusterOptions{})
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Purge(context.Background(), append([]string{"-api", cluster.OriginURL, "-wait", "0"}, args...),
			&IO{Stdout: &out, Stderr: &errOut, DevConfig: devYAML(t)})
		return out.String(), err
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-secret", "demo_secret"}, nil, "-secret given without -key"},
		{[]string{"-key", "demo_key"}, nil, "-key given without -secret"},
		{nil, map[string]string{"MEDIACDN_API_SECRET": "demo_secret"}, "MEDIACDN_API_SECRET is set without MEDIACDN_API_KEY"},
		{nil, map[string]string{"MEDIACDN_API_KEY": "demo_key"}, "MEDIACDN_API_KEY is set without MEDIACDN_API_SECRET"},
	} {
		t.Run(strings.Join(c.args, " ")+" "+strings.Join(keys(c.env), " "), func(t *testing.T) {
			t.Setenv("MEDIACDN_API_KEY", "")
			t.Setenv("MEDIACDN_API_SECRET", "")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			before := originAPICalls(t, cluster.OriginMetricsURL)
			out, err := run(append(c.args, "cloud")...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (printed %q), want an error with %q", err, out, c.want)
			}
			if n := originAPICalls(t, cluster.OriginMetricsURL) - before; n != 0 {
				t.Errorf("refused, yet the origin got %d API requests", n)
			}
			if len(c.args) > 0 && !IsUsage(err) {
				t.Errorf("a flag error is a usage error (exit status 2): %v", err)
			}
		})
	}
	// Both, or neither (the built-in dev cloud's), work.
	t.Setenv("MEDIACDN_API_KEY", "")
	t.Setenv("MEDIACDN_API_SECRET", "")
	for _, args := range [][]string{{"-key", "demo_key", "-secret", "demo_secret"}, nil} {
		before := originAPICalls(t, cluster.OriginMetricsURL)
		if out, err := run(append(args, "cloud")...); err != nil || !strings.Contains(out, `"status"`) {
			t.Errorf("purge %v: %v %q", args, err, out)
		}
		if n := originAPICalls(t, cluster.OriginMetricsURL) - before; n != 1 {
			t.Errorf("purge %v: the origin counted %d API requests, want 1", args, n)
		}
	}
	// A wrong pair is the origin's to refuse.
	if _, err := run("-key", "demo_key", "-secret", "wrong", "cloud"); err == nil || !strings.Contains(err.Error(), "origin answered 401") {
		t.Errorf("wrong secret: %v", err)
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// originAPICalls is the origin's count of Upload and Admin API requests
// (invalidations among them), read from its metrics listener.
func originAPICalls(t *testing.T, origin string) int64 {
	t.Helper()
	b := testkit.Get(t, origin+"/metrics").Body
	const series = `mediacdn_origin_requests_total{kind="api"} `
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, series); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				t.Fatalf("%s%s: %v", series, v, err)
			}
			return n
		}
	}
	t.Fatalf("the origin's /metrics has no %s:\n%s", series, b)
	return 0
}
