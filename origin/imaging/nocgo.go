//go:build !cgo

package imaging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
)

// errNoCgo is why nothing works in a build without cgo: libvips is C.
var errNoCgo = errors.New("imaging: this binary was built without cgo; image processing needs libvips " +
	"(build with CGO_ENABLED=1 and libvips-dev to run an origin)")

// Processor is a stand-in in builds without cgo, which run edges only.
type Processor struct{ cfg Config }

// New fails: image processing needs cgo.
func New(cfg Config, _ *slog.Logger) (*Processor, error) { return nil, errNoCgo }

// Config returns the settings.
func (p *Processor) Config() Config { return p.cfg }

// Close does nothing.
func (p *Processor) Close() {}

// Stats is empty.
func (p *Processor) Stats() Stats { return Stats{} }

func unavailable() *delivery.Error {
	return delivery.Errorf(http.StatusServiceUnavailable, "Image processing is not available").Because(errNoCgo)
}

// Probe fails.
func (p *Processor) Probe([]byte) (Info, error) { return Info{}, unavailable() }

// Verify fails.
func (p *Processor) Verify(context.Context, []byte) error { return unavailable() }

// Transform fails.
func (p *Processor) Transform(context.Context, []byte, Request) (Result, error) {
	return Result{}, unavailable()
}

// TransformReader fails: image processing needs cgo.
func (p *Processor) TransformReader(context.Context, io.Reader, int64, Request) (Result, error) {
	return Result{}, unavailable()
}

// Text fails.
func (p *Processor) Text(context.Context, TextRequest) (Result, error) {
	return Result{}, unavailable()
}

// FacesAvailable is false: face detection needs cgo.
func (p *Processor) FacesAvailable() bool { return false }

// DetectFaces fails.
func (p *Processor) DetectFaces(context.Context, []byte) ([][4]int, error) {
	return nil, unavailable()
}

// Animate fails.
func (p *Processor) Animate(context.Context, [][]byte, int, delivery.Format) (Result, error) {
	return Result{}, unavailable()
}

// Sprite fails.
func (p *Processor) Sprite(context.Context, [][]byte, delivery.Format) (Result, []Tile, error) {
	return Result{}, nil, unavailable()
}
