package edge

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// The metrics listener: /metrics on an address of its own
// (Config.MetricsListen), so that the counters of an edge are not for
// anyone who can reach its delivery port to read. The delivery port
// answers /metrics 404.

// metricsServer serves /metrics and /purge/applies (applies.go), and
// 404 for anything else.
func (s *Server) metricsServer() *fasthttp.Server {
	return &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			path := ctx.Path()
			if !bytes.Equal(path, pathMetrics) && !bytes.Equal(path, pathApplies) {
				ctx.Error("Not found", fasthttp.StatusNotFound)
				return
			}
			if !ctx.IsGet() && !ctx.IsHead() {
				ctx.Response.Header.Set("Allow", "GET, HEAD")
				ctx.Error("Method not allowed", fasthttp.StatusMethodNotAllowed)
				return
			}
			if bytes.Equal(path, pathApplies) {
				s.writeApplies(ctx)
				return
			}
			s.writeMetrics(ctx)
		},
		Name:               "mediacdn",
		Concurrency:        64,
		ReadTimeout:        10 * time.Second,
		WriteTimeout:       10 * time.Second,
		IdleTimeout:        time.Minute,
		MaxRequestBodySize: 1 << 10,
		CloseOnShutdown:    true,
		Logger:             fasthttpLogger{s.log},
	}
}

// listenMetrics binds the metrics listener, when one is configured.
func (s *Server) listenMetrics() error {
	if s.cfg.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsListen)
	if err != nil {
		return fmt.Errorf("edge: metrics listen %s: %w", s.cfg.MetricsListen, err)
	}
	s.mln = ln
	s.msrv = s.metricsServer()
	return nil
}

// MetricsAddr is the metrics listener's bound address, "" without one.
func (s *Server) MetricsAddr() string {
	if s.mln == nil {
		return ""
	}
	return s.mln.Addr().String()
}
