//go:build cgo

package app

import (
	"log/slog"

	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/imaging"
)

// newOrigin opens the origin's storage and builds its HTTP service.
func newOrigin(f *File, log *slog.Logger, failed chan<- error) (*httpService, error) {
	store, err := origin.OpenStorage(f.Origin.DataDir)
	if err != nil {
		return nil, err
	}
	images, err := imaging.New(f.Origin.Imaging, log)
	if err != nil {
		store.Close()
		return nil, err
	}
	srv, err := origin.New(f.Origin, f.Clouds, origin.Deps{
		Meta: store.Meta, Blobs: store.Blobs, Images: images, Log: log,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	return &httpService{name: "origin", addr: f.Origin.Listen, handler: srv, log: log, failed: failed,
		onClose: store.Close}, nil
}
