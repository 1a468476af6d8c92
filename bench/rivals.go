package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// rival is a cache server in front of the same origin as the edge:
// nginx proxy_cache or Varnish, configured on loopback the way an operator
// would put either in front of an image origin (cache everything for an
// hour, ignore the origin's Cache-Control and Vary).
type rival struct {
	name  string
	url   string
	child *child
}

// pids are the rival's processes: master and workers (nginx), manager
// and cache process (Varnish).
func (r *rival) pids() []int { return processTree(r.child.pid()) }

func (r *rival) stop() { r.child.stop() }

// nginxConf is the proxy_cache configuration: one worker per core, no
// access log, cache files under dir.
func nginxConf(dir, listen, origin string) string {
	return fmt.Sprintf(`worker_processes %d;
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[2]s/client_temp;
  proxy_temp_path %[2]s/proxy_temp;
  fastcgi_temp_path %[2]s/fastcgi_temp;
  uwsgi_temp_path %[2]s/uwsgi_temp;
  scgi_temp_path %[2]s/scgi_temp;
  proxy_cache_path %[2]s/ngcache levels=1:2 keys_zone=c:10m max_size=1g;
  server {
    listen %[3]s;
    location / {
      proxy_pass http://%[4]s;
      proxy_cache c;
      proxy_cache_valid 200 1h;
      proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`, runtime.NumCPU(), dir, listen, strings.TrimPrefix(origin, "http://"))
}

// varnishVCL caches every answer for an hour and drops Vary.
func varnishVCL(origin string) string {
	host, port, _ := strings.Cut(strings.TrimPrefix(origin, "http://"), ":")
	return fmt.Sprintf(`vcl 4.1;
backend default { .host = "%s"; .port = "%s"; }
sub vcl_backend_response { set beresp.ttl = 1h; unset beresp.http.Vary; }
`, host, port)
}

// startNginx runs nginx in the foreground with its own configuration.
func startNginx(ctx context.Context, dir, origin string) (*rival, error) {
	d := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(d, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(d, loopbackAddr(port), origin)), 0o644); err != nil {
		return nil, err
	}
	ch, err := startChild("nginx", filepath.Join(d, "stderr.log"), toolPath("nginx"), "-c", conf, "-p", d)
	if err != nil {
		return nil, err
	}
	r := &rival{name: "nginx", url: "http://" + loopbackAddr(port), child: ch}
	if err := ch.waitTCP(ctx, loopbackAddr(port), 20*time.Second); err != nil {
		ch.stop()
		return nil, err
	}
	return r, nil
}

// startVarnish runs varnishd in the foreground with a malloc store of
// cacheSize bytes.
func startVarnish(ctx context.Context, dir, origin string, cacheSize int64) (*rival, error) {
	d := filepath.Join(dir, "varnish")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	vcl := filepath.Join(d, "default.vcl")
	if err := os.WriteFile(vcl, []byte(varnishVCL(origin)), 0o644); err != nil {
		return nil, err
	}
	ch, err := startChild("varnish", filepath.Join(d, "stderr.log"), toolPath("varnishd"), "-F",
		"-a", loopbackAddr(port), "-f", vcl, "-s", fmt.Sprintf("malloc,%dm", cacheSize>>20), "-n", filepath.Join(d, "work"))
	if err != nil {
		return nil, err
	}
	r := &rival{name: "varnish", url: "http://" + loopbackAddr(port), child: ch}
	if err := ch.waitTCP(ctx, loopbackAddr(port), 30*time.Second); err != nil {
		ch.stop()
		return nil, err
	}
	return r, nil
}
