package purge

import (
	"strings"
	"testing"
	"time"
)

func clusteredConfig() Config {
	c := Config{Embedded: Embedded{
		Enabled: true, ServerName: "nats-a",
		Cluster: EmbeddedCluster{Name: "purges", Routes: []string{
			"nats-route://10.0.0.1:6222", "nats-route://10.0.0.2:6222", "nats-route://10.0.0.3:6222",
		}},
	}}
	c.Stream.Replicas = 3
	c.ApplyDefaults()
	return c
}

func TestEmbeddedClusterValidate(t *testing.T) {
	ok := clusteredConfig()
	if err := ok.Validate(); err != nil {
		t.Fatalf("a three-server cluster: %v", err)
	}
	if ok.Embedded.Cluster.Listen != DefaultClusterListen {
		t.Errorf("cluster.listen default %q", ok.Embedded.Cluster.Listen)
	}
	if ok.ReconnectMaxWait != DefaultReconnectMaxWait || ok.PublishTimeout != DefaultPublishTimeout {
		t.Errorf("defaults: reconnect_max_wait %v, publish_timeout %v", ok.ReconnectMaxWait, ok.PublishTimeout)
	}
	tests := []struct {
		edit  func(*Config)
		field string
	}{
		{func(c *Config) { c.Embedded.ServerName = "" }, "embedded.server_name"},
		{func(c *Config) { c.Embedded.ServerName = DefaultServerName }, "embedded.server_name"},
		{func(c *Config) { c.Embedded.ServerName = "a b" }, "embedded.server_name"},
		{func(c *Config) { c.Embedded.Cluster.Name = "a.b" }, "embedded.cluster.name"},
		{func(c *Config) { c.Embedded.Cluster.Name = "nats-a" }, "embedded.cluster.name"},
		{func(c *Config) { c.Embedded.Cluster.Listen = "6222" }, "embedded.cluster.listen"},
		{func(c *Config) { c.Embedded.Cluster.Routes = nil }, "embedded.cluster.routes"},
		{func(c *Config) { c.Embedded.Cluster.Routes = []string{"nats://10.0.0.1:6222"} }, "embedded.cluster.routes"},
		{func(c *Config) { c.Embedded.Cluster.Routes = []string{"nats-route://10.0.0.1"} }, "embedded.cluster.routes"},
		{func(c *Config) { c.Embedded.Cluster.Routes = []string{"nats-route://10.0.0.1:0"} }, "embedded.cluster.routes"},
		{func(c *Config) {
			c.Embedded.Cluster.Routes = []string{"nats-route://10.0.0.1:6222", "nats-route://10.0.0.1:6222"}
		}, "embedded.cluster.routes"},
		{func(c *Config) { c.ReconnectMaxWait = 10 * time.Millisecond }, "reconnect_max_wait"},
		{func(c *Config) { c.PublishTimeout = -time.Second }, "publish_timeout"},
	}
	for _, tc := range tests {
		c := ok
		c.Embedded.Cluster.Routes = append([]string(nil), ok.Embedded.Cluster.Routes...)
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.field+":") {
			t.Errorf("want an error naming %s, got %v", tc.field, err)
		}
	}
	lone := Config{Embedded: Embedded{Enabled: true, Cluster: EmbeddedCluster{Routes: []string{"junk"}}}}
	lone.ApplyDefaults()
	if err := lone.Validate(); err != nil {
		t.Errorf("no cluster name: the cluster settings are ignored, got %v", err)
	}
}

// The server options carry what a JetStream cluster needs: a server name,
// a cluster name, the cluster address and the routes.
func TestEmbeddedClusterServerOptions(t *testing.T) {
	c := clusteredConfig()
	c.Embedded.Cluster.Listen = "10.0.0.1:7222"
	opts, err := serverOptions(c.Embedded, "/data")
	if err != nil {
		t.Fatal(err)
	}
	if opts.ServerName != "nats-a" || opts.Cluster.Name != "purges" || opts.Cluster.Host != "10.0.0.1" ||
		opts.Cluster.Port != 7222 || len(opts.Routes) != 3 || opts.Routes[1].Host != "10.0.0.2:6222" ||
		!opts.JetStream || opts.StoreDir != "/data/nats" {
		t.Errorf("options: %+v", opts)
	}
	c.Embedded.Cluster.Routes = nil
	if _, err := serverOptions(c.Embedded, ""); err == nil || !strings.Contains(err.Error(), "embedded.cluster.routes") {
		t.Errorf("no routes: %v", err)
	}
	lone, err := serverOptions(Embedded{Listen: "127.0.0.1:0"}, "/data")
	if err != nil || lone.ServerName != DefaultServerName || lone.Cluster.Port != 0 || len(lone.Routes) != 0 {
		t.Errorf("lone server: %+v, %v", lone, err)
	}
}

func TestBackoff(t *testing.T) {
	first, limit := 100*time.Millisecond, time.Second
	for attempt, want := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
		if attempt == 0 {
			continue
		}
		for i := 0; i < 50; i++ {
			if d := backoff(first, limit, attempt); d < want/2 || d > want {
				t.Fatalf("attempt %d: %v, want within [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
	if d := backoff(first, limit, 1000); d > limit {
		t.Errorf("attempt 1000: %v over the limit", d)
	}
}
