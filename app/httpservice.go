package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// httpService serves a handler on an address.
type httpService struct {
	name    string
	addr    string
	handler http.Handler
	// tls, when set, serves HTTPS (HTTP/2 and HTTP/1.1) instead of HTTP.
	tls     *tls.Config
	log     *slog.Logger
	failed  chan<- error
	srv     *http.Server
	ln      net.Listener
	onClose func() error
}

func (h *httpService) Name() string { return h.name }

// Start binds the listener and serves in the background.
func (h *httpService) Start(context.Context) error {
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", h.addr, err)
	}
	h.ln = ln
	h.srv = &http.Server{
		Handler:           h.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	serve := h.srv.Serve
	if h.tls != nil {
		h.srv.TLSConfig = h.tls
		// ServeTLS sets up HTTP/2 beside HTTP/1.1; the certificate is
		// the config's.
		serve = func(ln net.Listener) error { return h.srv.ServeTLS(ln, "", "") }
	}
	go func() {
		if err := serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && h.failed != nil {
			h.failed <- fmt.Errorf("%s: %w", h.name, err)
		}
	}()
	h.log.Info(h.name+" listening", "addr", ln.Addr().String())
	return nil
}

// Addr is the bound address (useful with port 0).
func (h *httpService) Addr() string { return h.ln.Addr().String() }

// Kill closes the listener and every connection at once: requests in
// flight get no answer. Close still runs onClose.
func (h *httpService) Kill() {
	if h.srv != nil {
		h.srv.Close()
	}
}

// Close shuts the server down gracefully, then runs onClose.
func (h *httpService) Close(ctx context.Context) error {
	var err error
	if h.srv != nil {
		err = h.srv.Shutdown(ctx)
	}
	if h.onClose != nil {
		if cerr := h.onClose(); err == nil {
			err = cerr
		}
	}
	return err
}
