package app

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
)

// pprofService serves Go's profiler on an address of its own (off unless
// -pprof is given): for finding where the CPU goes under load.
func pprofService(addr string, log *slog.Logger, failed chan<- error) service {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &httpService{name: "pprof", addr: addr, handler: mux, log: log, failed: failed}
}

// withPprof appends the profiler service when addr is set.
func withPprof(services []service, addr string, log *slog.Logger, failed chan<- error) []service {
	if addr == "" {
		return services
	}
	return append(services, pprofService(addr, log, failed))
}
