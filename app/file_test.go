package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/config"
)

// Every file in configs/ loads and validates for the role it is for.
func TestConfigsValidate(t *testing.T) {
	// configs/origin.yaml's secret is a placeholder: set as it says.
	t.Setenv("MEDIACDN_CLOUDS_SHOP_API_SECRET", "a-real-secret")
	files, err := filepath.Glob("../configs/*.yaml")
	if err != nil || len(files) < 3 {
		t.Fatalf("configs: %v, %v", files, err)
	}
	for _, path := range files {
		f, err := LoadFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		role, err := inferRole(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Validate(role); err != nil {
			t.Errorf("%s (%s): %v", path, role, err)
		}
	}
}

// The built-in dev defaults are the fixed ones other issues rely on.
func TestDevDefaults(t *testing.T) {
	b, err := os.ReadFile("../configs/dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	demo := f.Clouds["demo"]
	if f.Edge.Listen != "127.0.0.1:8080" || f.Origin.Listen != "127.0.0.1:8081" ||
		f.NATS.Embedded.Listen != "127.0.0.1:4222" || !f.NATS.Embedded.Enabled ||
		f.Origin.DataDir != "./data" || demo.APIKey != "demo_key" || demo.APISecret != "demo_secret" ||
		demo.Mode() != config.Global || f.Edge.CacheSize != 512*config.MiB {
		t.Fatalf("dev defaults: %+v", f)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	base := `
clouds:
  demo: {api_key: k, api_secret: s}
nats:
  embedded: {enabled: true}
`
	for _, c := range []struct {
		yaml, role, want string
	}{
		{"clouds: {}\nnats: {embedded: {enabled: true}}", "dev", "clouds: at least one cloud is required"},
		{"clouds:\n  demo: {api_key: k}\nnats: {embedded: {enabled: true}}", "dev", "clouds.demo.api_secret: required"},
		{"clouds:\n  demo: {api_key: k, api_secret: s, invalidation: sometimes}\nnats: {embedded: {enabled: true}}", "dev", `clouds.demo.invalidation: must be "global" or "legacy", not "sometimes"`},
		{"clouds:\n  demo: {api_key: k, api_secret: s, folder_mode: loose}\nnats: {embedded: {enabled: true}}", "dev", `clouds.demo.folder_mode: must be "dynamic" or "fixed", not "loose"`},
		{"clouds:\n  bad.name: {api_key: k, api_secret: s}\nnats: {embedded: {enabled: true}}", "dev", "clouds.bad.name: a cloud name has only letters"},
		{base + "edge: {listen: nowhere}", "edge", `edge.listen: "nowhere" is not host:port`},
		{base + "edge: {origins: [ftp://x]}", "edge", "edge.origins: origin 0"},
		{base + "edge: {cache_size: 1KiB}", "edge", "edge.cache_size: at least 1MiB"},
		{base + "edge: {procs: -2}", "edge", "edge.procs: must not be negative"},
		{base + "edge: {origin_transform_conns: -1}", "edge", "edge.origin_transform_conns: at least 1"},
		{base + "edge: {origin_timeout: 2s, origin_conn_wait: 2s}", "edge", "edge.origin_conn_wait: below origin_timeout"},
		{base + "origin: {delivery_url: not a url}", "origin", "origin.delivery_url"},
		{base + "edge: {metrics_listen: nowhere}", "edge", `edge.metrics_listen: "nowhere" is not host:port`},
		{base + "edge: {listen: 127.0.0.1:8080, metrics_listen: 127.0.0.1:8080}", "edge", "edge.metrics_listen: must differ from listen"},
		{base + "origin: {metrics_listen: nowhere}", "origin", `origin.metrics_listen: "nowhere" is not host:port`},
		{base + "origin: {listen: 127.0.0.1:8081, metrics_listen: 127.0.0.1:8081}", "origin", "origin.metrics_listen: must differ from listen"},
		{"clouds:\n  demo: {api_key: k, api_secret: s}\nnats: {}", "origin", "nats.urls: required unless embedded.enabled is true"},
		{base + "log: {level: loud}", "dev", "log.level: must be debug, info, warn or error"},
		{base + "edge: {trusted_proxies: [10.0.0.0/8, 10.0.0.1/33]}", "edge", `edge.trusted_proxies: "10.0.0.1/33" is not a CIDR such as 10.0.0.0/8`},
		{base + "edge: {trusted_proxies: [10.0.0.0/8], client_ip_header: X-Client}", "edge", `edge.client_ip_header: unsupported header "X-Client"`},
		{base + "origin: {trusted_proxies: [lb.internal]}", "origin", `origin.trusted_proxies: "lb.internal" is not a CIDR`},
		{"clouds:\n  demo: {api_key: k, api_secret: s}\nnats: {embedded: {enabled: true, listen: x}}", "dev", "nats.embedded.listen"},
	} {
		f, err := ParseFile([]byte(c.yaml))
		if err == nil {
			err = f.Validate(Role(c.role))
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.yaml, err, c.want)
		}
	}
}

func TestUnknownFieldIsAnError(t *testing.T) {
	_, err := ParseFile([]byte("edge:\n  lisen: 127.0.0.1:1\n"))
	if err == nil || !strings.Contains(err.Error(), "lisen") {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestEdgeNeedsNoSecrets(t *testing.T) {
	f, err := ParseFile([]byte("clouds:\n  shop: {hosts: [img.example]}\nnats: {urls: [nats://n:4222]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(RoleEdge); err != nil {
		t.Fatalf("edge without secrets: %v", err)
	}
	var fe *config.FieldError
	if err := f.Validate(RoleOrigin); !errors.As(err, &fe) || fe.Field != "clouds.shop.api_key" {
		t.Fatalf("origin without secrets: %v", err)
	}
}

func TestSecretsFromEnvironment(t *testing.T) {
	t.Setenv("MEDIACDN_CLOUDS_MY_SHOP_API_SECRET", "from-env")
	t.Setenv("MEDIACDN_NATS_TOKEN", "tok")
	f, err := ParseFile([]byte("clouds:\n  my-shop: {api_key: k, api_secret: in-file}\nnats: {urls: [nats://n:4222]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Clouds["my-shop"].APISecret != "from-env" || f.NATS.Token != "tok" {
		t.Fatalf("env overrides not applied: %+v %+v", f.Clouds, f.NATS)
	}
}

func TestCheckConfigCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("clouds:\n  demo: {api_key: k}\nnats: {embedded: {enabled: true}}\norigin: {}\nedge: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	io := &IO{Stdout: &out, Stderr: &errOut}
	err := CheckConfig(t.Context(), []string{bad}, io)
	if err == nil || !strings.Contains(err.Error(), "clouds.demo.api_secret: required") {
		t.Fatalf("bad file: %v", err)
	}
	if err := CheckConfig(t.Context(), []string{"../configs/dev.yaml"}, io); err != nil {
		t.Fatalf("dev.yaml: %v", err)
	}
	if !strings.Contains(out.String(), "valid dev configuration") {
		t.Fatalf("output %q", out.String())
	}
	if err := CheckConfig(t.Context(), nil, io); !IsUsage(err) {
		t.Fatalf("no file: %v", err)
	}
}

// A placeholder secret (configs/origin.yaml ships api_secret: change-me) is
// refused outside dev, by check-config and at start-up, with the
// environment variable that sets a real one: a cloud's API secret by
// origins, NATS credentials by origins and edges. Edges, which never read
// a cloud's API secret, accept a placeholder one; dev accepts them all.
func TestPlaceholderSecretsOnlyInDev(t *testing.T) {
	t.Setenv("MEDIACDN_CLOUDS_SHOP_API_SECRET", "")
	os.Unsetenv("MEDIACDN_CLOUDS_SHOP_API_SECRET")
	want := `clouds.shop.api_secret: "change-me" is a placeholder, accepted by dev only: set the cloud's secret in MEDIACDN_CLOUDS_SHOP_API_SECRET`
	var out, errOut strings.Builder
	io := &IO{Stdout: &out, Stderr: &errOut}
	if err := CheckConfig(t.Context(), []string{"../configs/origin.yaml"}, io); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("check-config configs/origin.yaml: %v, want %q", err, want)
	}
	if err := Origin(t.Context(), []string{"-config", "../configs/origin.yaml"}, io); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("origin start-up: %v", err)
	}
	dir := t.TempDir()
	edge := filepath.Join(dir, "edge.yaml")
	if err := os.WriteFile(edge, []byte("clouds:\n  shop: {api_key: k, api_secret: <your secret>}\nnats: {urls: [nats://127.0.0.1:1]}\nedge: {listen: 127.0.0.1:0}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := CheckConfig(t.Context(), []string{edge}, io); err != nil || !strings.Contains(out.String(), "valid edge configuration") {
		t.Fatalf("check-config of an edge with a placeholder API secret: %v %q", err, out.String())
	}
	edgeNATS := filepath.Join(dir, "edge-nats.yaml")
	if err := os.WriteFile(edgeNATS, []byte("clouds:\n  shop: {api_key: k, api_secret: <your secret>}\nnats: {urls: [nats://127.0.0.1:1], password: xxx, user: edge}\nedge: {listen: 127.0.0.1:0}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Refused for its NATS password, not for the cloud's API secret.
	if err := Edge(t.Context(), []string{"-config", edgeNATS}, io); err == nil || !strings.Contains(err.Error(), `nats.password: "xxx" is a placeholder, accepted by dev only: set the real one in MEDIACDN_NATS_PASSWORD`) {
		t.Fatalf("edge start-up with a placeholder NATS password: %v", err)
	}
	nats := filepath.Join(dir, "origin.yaml")
	if err := os.WriteFile(nats, []byte("clouds:\n  shop: {api_key: k, api_secret: s3cr3t}\nnats: {urls: [nats://127.0.0.1:1], token: CHANGE_ME}\norigin: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckConfig(t.Context(), []string{nats}, io); err == nil || !strings.Contains(err.Error(), `nats.token: "CHANGE_ME" is a placeholder, accepted by dev only: set the real one in MEDIACDN_NATS_TOKEN`) {
		t.Fatalf("check-config with a placeholder NATS token: %v", err)
	}
	// Set in the environment, as the message says, it is accepted.
	t.Setenv("MEDIACDN_CLOUDS_SHOP_API_SECRET", "a-real-secret")
	if err := CheckConfig(t.Context(), []string{"../configs/origin.yaml"}, io); err != nil {
		t.Fatalf("with the secret in the environment: %v", err)
	}
	// dev takes any secret: the same file checked as dev is valid.
	os.Unsetenv("MEDIACDN_CLOUDS_SHOP_API_SECRET")
	out.Reset()
	if err := CheckConfig(t.Context(), []string{"-role", "dev", "../configs/origin.yaml"}, io); err != nil || !strings.Contains(out.String(), "valid dev configuration") {
		t.Fatalf("configs/origin.yaml as dev: %v %q", err, out.String())
	}
	f, err := ParseFile([]byte("clouds:\n  demo: {api_key: k, api_secret: change-me}\nnats: {embedded: {enabled: true}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(RoleDev); err != nil {
		t.Fatalf("dev with a placeholder: %v", err)
	}
}
