package purge

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{URLs: []string{"nats://127.0.0.1:4222"}}
	ok.ApplyDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if ok.Stream.Name != DefaultStreamName || ok.CaughtUpBound != 2*time.Second || ok.Stream.MaxAge != DefaultMaxAge {
		t.Errorf("defaults not applied: %+v", ok)
	}
	tests := []struct {
		edit  func(*Config)
		field string
	}{
		{func(c *Config) { c.Stream.Replicas = 7 }, "stream.replicas"},
		{func(c *Config) { c.Stream.MaxAge = time.Second }, "stream.max_age"},
		{func(c *Config) { c.Stream.MaxMsgs = -1 }, "stream.max_msgs"},
		{func(c *Config) { c.Stream.Name = "a.b" }, "stream.name"},
		{func(c *Config) { c.Stream.SubjectPrefix = "a..b" }, "stream.subject_prefix"},
		{func(c *Config) { c.CaughtUpBound = -time.Second }, "caught_up_bound"},
		{func(c *Config) { c.LiveWindow = 500 * time.Millisecond }, "live_window"},
		{func(c *Config) { c.URLs = nil }, "urls"},
	}
	for _, tc := range tests {
		c := ok
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.field+":") {
			t.Errorf("want an error naming %s, got %v", tc.field, err)
		}
	}
	if err := ok.CheckRetention(60 * 24 * time.Hour); err == nil || !strings.Contains(err.Error(), "stream.max_age") {
		t.Errorf("CheckRetention(60 days) = %v", err)
	}
	if err := ok.CheckRetention(30 * 24 * time.Hour); err != nil {
		t.Errorf("CheckRetention(30 days) = %v", err)
	}
}

func TestConfigSubjects(t *testing.T) {
	var c Config
	if got := c.RuleSubject("demo"); got != "mediacdn.purge.demo" {
		t.Errorf("RuleSubject = %q", got)
	}
	if c.cloudOf(c.RuleSubject("my-cloud")) != "my-cloud" || c.RuleSubjects() != "mediacdn.purge.*" {
		t.Error("subjects do not round-trip")
	}
	if got := c.HeartbeatSubject(); strings.HasPrefix(got, "mediacdn.purge.") {
		t.Errorf("heartbeats %q would land in the stream", got)
	}
}

func TestConnectNeedsAServer(t *testing.T) {
	if _, err := Connect(Config{}, "x"); err == nil {
		t.Error("no urls and no embedded server: no error")
	}
	c := Config{Embedded: Embedded{Enabled: true, Listen: "127.0.0.1:0"}}
	if _, err := Connect(c, "x"); err == nil || !strings.Contains(err.Error(), "ClientURL") {
		t.Errorf("embedded on a random port: %v", err)
	}
	if got := redact("nats://u:secret@h:1,nats://h2:2"); strings.Contains(got, "secret") {
		t.Errorf("redact left the password: %s", got)
	}
}

func TestLedger(t *testing.T) {
	l := NewLedger(2)
	l.Record("a", 1)
	l.Record("b", 2)
	l.Record("a", 3)
	if s, ok := l.Seq("a"); !ok || s != 3 {
		t.Errorf("a = %d, %v", s, ok)
	}
	l.Record("c", 4) // evicts the oldest id, a
	if _, ok := l.Seq("a"); ok {
		t.Error("a not evicted")
	}
	if s, ok := l.Seq("c"); !ok || s != 4 {
		t.Errorf("c = %d, %v", s, ok)
	}
}
