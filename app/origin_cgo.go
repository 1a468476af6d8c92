//go:build cgo

package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/purge"
	"github.com/nats-io/nats.go"
)

// originService runs an origin: storage, image processing, the HTTP API,
// and purge publishing over NATS.
type originService struct {
	f      *File
	log    *slog.Logger
	failed chan<- error
	nats   func() purge.Config // the NATS settings, read at Start (dev fills in the embedded URL)

	store  *origin.Storage
	images *imaging.Processor
	nc     *nats.Conn
	purger *origin.Purger
	srv    *origin.Server
	http   *httpService
	// https serves the same handler over TLS on origin.tls.listen (nil
	// without one).
	https *httpService
	// metrics serves /metrics on origin.metrics_listen (nil without one).
	metrics *httpService
}

func newOrigin(f *File, log *slog.Logger, failed chan<- error, natsCfg func() purge.Config) (service, error) {
	return &originService{f: f, log: log, failed: failed, nats: natsCfg}, nil
}

func (o *originService) Name() string { return "origin" }

func (o *originService) Start(ctx context.Context) error {
	store, err := origin.OpenStorageConfig(ctx, o.f.Origin)
	if err != nil {
		return err
	}
	o.store = store
	if o.images, err = imaging.New(o.f.Origin.Imaging, o.log); err != nil {
		return err
	}
	natsCfg := o.nats()
	if o.nc, err = purge.Connect(natsCfg, "mediacdn-origin"); err != nil {
		return err
	}
	if o.purger, err = origin.NewPurger(o.nc, natsCfg, o.f.Clouds, o.log); err != nil {
		return err
	}
	o.purger.Start(ctx)
	srv, err := origin.New(o.f.Origin, o.f.Clouds, origin.Deps{
		Meta: store.Meta, Blobs: store.Blobs, Images: o.images, Purger: o.purger, Log: o.log,
	})
	if err != nil {
		return err
	}
	o.srv = srv
	if a := o.f.Origin.MetricsListen; a != "" {
		o.metrics = &httpService{name: "origin metrics", addr: a, handler: srv.MetricsHandler(), log: o.log, failed: o.failed}
		if err := o.metrics.Start(ctx); err != nil {
			o.metrics = nil
			return err
		}
	} else {
		o.log.Info("origin metrics off (origin.metrics_listen is empty)")
	}
	if o.f.Origin.TLS.Enabled() {
		tlsCfg, err := o.f.Origin.TLS.ServerConfig()
		if err != nil {
			return config.Prefix("origin", err)
		}
		o.https = &httpService{name: "origin https", addr: o.f.Origin.TLS.Listen, handler: srv, tls: tlsCfg, log: o.log, failed: o.failed}
		if err := o.https.Start(ctx); err != nil {
			o.https = nil
			return err
		}
	}
	o.http = &httpService{name: "origin", addr: o.f.Origin.Listen, handler: srv, log: o.log, failed: o.failed}
	return o.http.Start(ctx)
}

// Close stops serving, then releases NATS, libvips workers and storage.
// Requests in flight get half of ctx's time to finish; transforms still
// running then are killed (their requests answer 503), so that the
// requests end and the rest of the shutdown fits in the other half.
func (o *originService) Close(ctx context.Context) error {
	var err error
	if o.http != nil {
		if d, ok := ctx.Deadline(); ok && o.images != nil {
			kill := time.AfterFunc(time.Until(d)/2, o.images.Close)
			defer kill.Stop()
		}
		err = o.http.Close(ctx)
	}
	if o.https != nil {
		if cerr := o.https.Close(ctx); err == nil {
			err = cerr
		}
	}
	if o.srv != nil {
		o.srv.Close() // background recordings finish before storage closes
	}
	if o.metrics != nil {
		o.metrics.Close(ctx)
	}
	if o.purger != nil {
		o.purger.Close()
	}
	if o.nc != nil {
		o.nc.Close()
	}
	if o.images != nil {
		o.images.Close()
	}
	if o.store != nil {
		if cerr := o.store.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Kill drops the origin's connections at once, as a crash would for its
// clients (requests in flight get no answer); Close releases the rest.
func (o *originService) Kill() {
	if o.http != nil {
		o.http.Kill()
	}
	if o.https != nil {
		o.https.Kill()
	}
}

// Addr is the origin's bound address.
func (o *originService) Addr() string { return o.http.Addr() }

// TLSAddr is the HTTPS listener's bound address, "" without one.
func (o *originService) TLSAddr() string {
	if o.https == nil {
		return ""
	}
	return o.https.Addr()
}

// MetricsAddr is the metrics listener's bound address, "" without one.
func (o *originService) MetricsAddr() string {
	if o.metrics == nil {
		return ""
	}
	return o.metrics.Addr()
}
