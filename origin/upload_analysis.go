package origin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/imagemeta"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// analysis is what is computed once from an asset version's original and
// stored with it: colours and perceptual hash (images the processor
// reads), and the EXIF, IPTC and XMP metadata the file carries. The
// original of a version never changes, so computing it when details first
// ask for it gives what computing it at upload would.
type analysis struct {
	// Pixels is set when the pixels were analysed.
	Pixels          bool                 `json:"pixels"`
	Colors          []imaging.ColorShare `json:"colors,omitempty"`
	Predominant     []imaging.ColorShare `json:"predominant,omitempty"`
	PHash           string               `json:"phash,omitempty"`
	Grayscale       bool                 `json:"grayscale,omitempty"`
	SemiTransparent bool                 `json:"semi_transparent,omitempty"`
	EXIF            map[string]string    `json:"exif,omitempty"`
	IPTC            map[string]string    `json:"iptc,omitempty"`
	XMP             map[string]string    `json:"xmp,omitempty"`
	// Faces are the faces detected (x, y, width, height), once a call
	// has asked for them (FacesDetected): detection runs only then.
	Faces         [][4]int `json:"faces,omitempty"`
	FacesDetected bool     `json:"faces_detected,omitempty"`
}

// analysisFlags are the analyses a call asks to see: colors, phash,
// image_metadata, exif and faces (upload, explicit and the Admin API's
// details).
type analysisFlags struct {
	colors, phash, imageMetadata, exif, faces bool
}

func (f analysisFlags) any() bool { return f.colors || f.phash || f.imageMetadata || f.exif || f.faces }

// parseAnalysisFlags reads the Upload API's analysis parameters;
// media_metadata is Cloudinary's newer name for image_metadata and is
// answered the same way, in image_metadata.
func parseAnalysisFlags(p *api.Params) (analysisFlags, error) {
	var f analysisFlags
	var media bool
	for _, b := range []struct {
		dst *bool
		key string
	}{{&f.colors, "colors"}, {&f.phash, "phash"}, {&f.imageMetadata, "image_metadata"},
		{&media, "media_metadata"}, {&f.exif, "exif"}, {&f.faces, "faces"}} {
		v, err := p.Bool(b.key, false)
		if err != nil {
			return f, err
		}
		*b.dst = v
	}
	f.imageMetadata = f.imageMetadata || media
	return f, nil
}

// analysisJSON is what the analysis flags add to an answer, field for
// field as Cloudinary's upload response and resource details carry it.
type analysisJSON struct {
	Colors          [][2]any           `json:"colors,omitempty"`
	Predominant     *predominantJSON   `json:"predominant,omitempty"`
	Grayscale       *bool              `json:"grayscale,omitempty"`
	SemiTransparent *bool              `json:"semi_transparent,omitempty"`
	Phash           string             `json:"phash,omitempty"`
	ImageMetadata   *map[string]string `json:"image_metadata,omitempty"`
	Exif            *map[string]string `json:"exif,omitempty"`
	Faces           *[][4]int          `json:"faces,omitempty"`
}

// answer is what flags ask of the analysis.
func (an *analysis) answer(flags analysisFlags) analysisJSON {
	var j analysisJSON
	if flags.colors && an.Pixels {
		j.Colors = shareList(an.Colors)
		named := shareList(an.Predominant)
		j.Predominant = &predominantJSON{Google: named, Cloudinary: named}
		j.Grayscale, j.SemiTransparent = &an.Grayscale, &an.SemiTransparent
	}
	if flags.phash && an.Pixels {
		j.Phash = an.PHash
	}
	if flags.imageMetadata {
		all := imagemeta.Metadata{EXIF: an.EXIF, IPTC: an.IPTC, XMP: an.XMP}.All()
		j.ImageMetadata = &all
	}
	if flags.exif {
		exif := an.EXIF
		if exif == nil {
			exif = map[string]string{}
		}
		j.Exif = &exif
	}
	if flags.faces && an.FacesDetected {
		faces := nonNilCoords(an.Faces)
		j.Faces = &faces
	}
	return j
}

// analysisFor answers what flags ask of an asset version's analysis,
// computed (and stored) when first asked for; nothing when they ask for
// nothing.
func (c *call) analysisFor(a *meta.Asset, flags analysisFlags) (analysisJSON, error) {
	flags, given := flags.givenFaces(a.Coordinates.Faces)
	var j analysisJSON
	if flags.any() {
		an, err := c.s.analysis(c.ctx(), a)
		if err == nil && flags.faces {
			an, err = c.s.withFaces(c.ctx(), a, an)
		}
		if err != nil {
			return analysisJSON{}, err
		}
		j = an.answer(flags)
	}
	if given != nil {
		j.Faces = given
	}
	return j, nil
}

// givenFaces takes the faces flag off flags when the asset has
// face_coordinates (coords, set through the API): they win over
// detection, as at Cloudinary, so none runs for them, and given is the
// answer's faces (nil when the call does not ask for faces or there are
// none).
func (f analysisFlags) givenFaces(coords [][4]int) (_ analysisFlags, given *[][4]int) {
	if !f.faces || len(coords) == 0 {
		return f, nil
	}
	f.faces = false
	return f, &coords
}

// analyseUpload computes the analysis of an upload's file before anything
// is stored, so that a failure (the processor busy or timing out) refuses
// the upload with nothing stored, and returns it with the form the upload
// stores with the version (meta.Asset.Analysis); nil when the call asks
// for none.
func (c *call) analyseUpload(rt delivery.ResourceType, src *upfile, flags analysisFlags) (*analysis, []byte, error) {
	if !flags.any() {
		return nil, nil, nil
	}
	m, err := src.mapped()
	if err != nil {
		return nil, nil, err
	}
	an, err := c.s.analyseData(c.ctx(), rt, m.Bytes(), m)
	if err == nil && flags.faces {
		err = c.s.detectFaces(c.ctx(), rt, m.Bytes(), an)
	}
	if err != nil {
		return nil, nil, err
	}
	stored, err := json.Marshal(an)
	if err != nil {
		return nil, nil, delivery.Internal(err)
	}
	return an, stored, nil
}

func shareList(s []imaging.ColorShare) [][2]any {
	out := make([][2]any, len(s))
	for i, cs := range s {
		out[i] = [2]any{cs.Color, cs.Percent}
	}
	return out
}

// analysis returns the asset version's analysis, computing and storing it
// on first use (once, however many ask at the same time).
func (s *Server) analysis(ctx context.Context, a *meta.Asset) (*analysis, error) {
	if data, err := s.meta.Analysis(ctx, a.Key, a.Version); err == nil {
		var an analysis
		if err := json.Unmarshal(data, &an); err != nil {
			return nil, delivery.Internal(err)
		}
		return &an, nil
	} else if !isNotFound(err) {
		return nil, delivery.Internal(err)
	}
	flight := strings.Join([]string{"analysis", a.Cloud, a.ResourceType.String(), a.Type.String(), a.PublicID,
		strconv.FormatInt(a.Version, 10)}, "\x00")
	v, err, _ := s.flights.Do(flight, func() (any, error) {
		return s.analyse(context.WithoutCancel(ctx), a)
	})
	if err != nil {
		return nil, err
	}
	return v.(*analysis), nil
}

// analyse computes and stores the analysis of an asset's version.
func (s *Server) analyse(ctx context.Context, a *meta.Asset) (*analysis, error) {
	src, err := blob.ReadAll(s.blobs, a.Blob)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, changedMeanwhile(a.PublicID)
	}
	if err != nil {
		return nil, delivery.Internal(err)
	}
	an, err := s.analyseData(ctx, a.ResourceType, src, nil)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(an)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	if err := s.meta.PutAnalysis(ctx, a.Key, a.Version, data); err != nil && !isNotFound(err) {
		s.log.Warn("analysis not stored", "public_id", a.PublicID, "err", err)
	}
	return an, nil
}

// analyseData computes the analysis of an original of resource type rt:
// src, which the processor reads from m when it is not nil (an upload's
// file, mapped).
func (s *Server) analyseData(ctx context.Context, rt delivery.ResourceType, src []byte, m *imaging.Mapped) (*analysis, error) {
	s.analyses.Add(1)
	md := imagemeta.Extract(src)
	an := &analysis{EXIF: md.EXIF, IPTC: md.IPTC, XMP: md.XMP}
	if rt != delivery.Image {
		return an, nil
	}
	var res imaging.Analysis
	var err error
	if m != nil {
		res, err = s.images.AnalyzeMapped(ctx, m)
	} else {
		res, err = s.images.Analyze(ctx, src)
	}
	var ie *delivery.Error
	switch {
	case err == nil:
		an.Pixels, an.Colors, an.Predominant = true, res.Colors, res.Predominant
		an.PHash, an.Grayscale, an.SemiTransparent = imaging.PHashHex(res.PHash), res.Grayscale, res.SemiTransparent
	case errors.As(err, &ie) && ie.Status == http.StatusBadRequest:
		// Not pixels this processor reads (SVG, oversized): no colours.
	default:
		return nil, delivery.AsError(err)
	}
	return an, nil
}

// changedMeanwhile answers a call that found the asset it read changed
// (overwritten or deleted) before it could finish.
func changedMeanwhile(publicID string) *delivery.Error {
	return delivery.Errorf(http.StatusConflict, "Resource %s changed while it was read - retry", api.Clip(publicID))
}

// withFaces is an with the faces of a's original detected, computing
// and storing them with the version's analysis when no call has asked for
// them before (once, however many ask at the same time).
func (s *Server) withFaces(ctx context.Context, a *meta.Asset, an *analysis) (*analysis, error) {
	if an.FacesDetected {
		return an, nil
	}
	flight := strings.Join([]string{"faces", a.Cloud, a.ResourceType.String(), a.Type.String(), a.PublicID,
		strconv.FormatInt(a.Version, 10)}, "\x00")
	v, err, _ := s.flights.Do(flight, func() (any, error) {
		ctx := context.WithoutCancel(ctx)
		src, err := blob.ReadAll(s.blobs, a.Blob)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, changedMeanwhile(a.PublicID)
		}
		if err != nil {
			return nil, delivery.Internal(err)
		}
		with := *an
		if err := s.detectFaces(ctx, a.ResourceType, src, &with); err != nil {
			return nil, err
		}
		data, err := json.Marshal(&with)
		if err != nil {
			return nil, delivery.Internal(err)
		}
		if err := s.meta.PutAnalysis(ctx, a.Key, a.Version, data); err != nil && !isNotFound(err) {
			s.log.Warn("analysis not stored", "public_id", a.PublicID, "err", err)
		}
		return &with, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*analysis), nil
}

// detectFaces sets an's faces from the original src of resource type rt:
// none for what is not an image the processor reads; 400 "face detection
// unavailable" when the processor has no face cascade.
func (s *Server) detectFaces(ctx context.Context, rt delivery.ResourceType, src []byte, an *analysis) error {
	if !s.images.FacesAvailable() {
		return delivery.Errorf(http.StatusBadRequest, "face detection unavailable")
	}
	an.Faces, an.FacesDetected = nil, true
	if rt != delivery.Image {
		return nil
	}
	faces, err := s.images.DetectFaces(ctx, src)
	var ie *delivery.Error
	switch {
	case err == nil:
		an.Faces = faces
	case errors.As(err, &ie) && ie.Status == http.StatusBadRequest:
		// Not pixels this processor reads (oversized, broken): no faces.
	default:
		return delivery.AsError(err)
	}
	return nil
}
