package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// mediacdn purge takes a key and its secret together: one without the
// other is refused, naming the missing one, before anything is sent (the
// built-in dev credentials would otherwise have been used, and worked).
func TestPurgeCredentialsComeTogether(t *testing.T) {
	c := startCluster(t, ClusterOptions{Configure: fastPurgeTimers})
	waitFor(t, "the edge", func() bool { return c.EdgeState(0).CaughtUp })
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := Purge(context.Background(), append([]string{"-api", c.OriginURL, "-wait", "0"}, args...),
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
			out, err := run(append(c.args, "cloud")...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (printed %q), want an error with %q", err, out, c.want)
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
		if out, err := run(append(args, "cloud")...); err != nil || !strings.Contains(out, `"status"`) {
			t.Errorf("purge %v: %v %q", args, err, out)
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
