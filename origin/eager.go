package origin

import (
	"context"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// eager generates an image's eager transformations ("tx" or "tx/format";
// the asset's own format when none is given) as derived resources before
// the call answers, and describes them for the response. Its callers
// refuse eager transformations of other resource types first
// (eagerNotForKind). (eager_async, which would make them in the
// background, is refused until it reports them as Cloudinary does:
// paramspec_upload.go.)
func (c *call) eager(a *meta.Asset, eager []string) ([]eagerJSON, error) {
	if len(eager) == 0 {
		return nil, nil
	}
	out := make([]eagerJSON, 0, len(eager))
	for _, e := range eager {
		j, err := c.s.makeEager(c.ctx(), c, a, e)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func (s *Server) makeEager(ctx context.Context, c *call, a *meta.Asset, e string) (eagerJSON, error) {
	tx, format := splitEagerFormat(e)
	if format == "" {
		format = a.Format
	}
	f, _ := delivery.ParseFormat(format)
	tr, err := delivery.ParseTransformation(tx)
	if err != nil {
		return eagerJSON{}, badRequest("Invalid eager transformation %s - %s", clip(e), err.Error())
	}
	expanded, _, err := s.expand(ctx, c.cloud, tr, 0)
	if err != nil {
		return eagerJSON{}, asAPIError(err)
	}
	req := &deriveRequest{key: a.Key, tr: expanded, format: wantedFormat(expanded, f),
		dk: meta.DerivedKey{Version: a.Version, Transformation: tx, Format: f.String()}}
	d, err := s.findOrMake(ctx, req, a)
	if err != nil {
		return eagerJSON{}, err
	}
	url, secure := c.assetURLs(a, tx, f.String())
	return eagerJSON{Transformation: tx, Width: d.width, Height: d.height, Bytes: d.size, Format: f.String(),
		URL: url, SecureURL: secure}, nil
}
