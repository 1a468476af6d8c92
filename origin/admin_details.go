package origin

import (
	"errors"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// detailJSON is an asset's details (GET /resources/<rt>/<type>/<id>),
// field for field as the Go SDK's admin.AssetResult decodes them.
type detailJSON struct {
	resourceJSON
	ETag              string          `json:"etag"`
	Placeholder       bool            `json:"placeholder"`
	Pages             int             `json:"pages,omitempty"`
	OriginalFilename  string          `json:"original_filename,omitempty"`
	LastUpdated       lastUpdatedJSON `json:"last_updated"`
	Derived           []derivedJSON   `json:"derived"`
	NextCursor        string          `json:"next_cursor,omitempty"`
	DerivedNextCursor string          `json:"derived_next_cursor,omitempty"`
	// analysisJSON carries colors, phash, image_metadata and exif when
	// the call asks for them.
	analysisJSON
	FaceDetection     string           `json:"face_detection,omitempty"`
	Coordinates       *coordinatesJSON `json:"coordinates,omitempty"`
	RelatedAssets     *[]resourceJSON  `json:"related_assets,omitempty"`
	RelatedNextCursor string           `json:"related_next_cursor,omitempty"`
	Versions          *[]versionJSON   `json:"versions,omitempty"`
	// Invalidation is an update's purge, when it published one.
	Invalidation *InvalidationStatus `json:"invalidation,omitempty"`
}

type lastUpdatedJSON struct {
	UpdatedAt string `json:"updated_at"`
}

type predominantJSON struct {
	Google     [][2]any `json:"google"`
	Cloudinary [][2]any `json:"cloudinary"`
}

type coordinatesJSON struct {
	Faces  [][4]int `json:"faces,omitempty"`
	Custom [][4]int `json:"custom,omitempty"`
}

// versionJSON is one version of an asset (versions=true with backups).
type versionJSON struct {
	VersionID  string `json:"version_id"`
	Version    int64  `json:"version"`
	Format     string `json:"format,omitempty"`
	Size       int64  `json:"size"`
	Time       string `json:"time"`
	Restorable bool   `json:"restorable"`
}

// faceDetectionNote says what faces=true gives on a server without face
// detection (no face cascade: imaging.Config.FaceCascade).
const faceDetectionNote = "unavailable: this server has no face cascade; faces lists the face_coordinates set through the API"

// Page sizes of derived resources in details.
const (
	defaultDerivedResults = 10
	maxDerivedResults     = 500
)

// details serves GET /resources/<rt>/<type>/<public_id>.
func (c *call) details(rt delivery.ResourceType, typ delivery.DeliveryType, id string, p *api.Params) {
	a, err := c.asset(meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicID: id})
	if err != nil {
		c.fail(err)
		return
	}
	c.answerDetails(a, p)
}

// detailsByAssetID serves GET /resources/<asset_id>.
func (c *call) detailsByAssetID(assetID string, p *api.Params) {
	a, err := c.s.meta.AssetByID(c.ctx(), c.cloud, assetID)
	if isNotFound(err) {
		c.fail(api.NotFound(assetID))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.answerDetails(a, p)
}

// answerDetails answers the details, with fields only those fields
// (onlyFields).
func (c *call) answerDetails(a *meta.Asset, p *api.Params) {
	j, err := c.assetDetails(a, p)
	if err != nil {
		c.fail(err)
		return
	}
	if fields := p.List("fields"); len(fields) > 0 {
		cut, err := onlyFields(j, a, fields)
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		c.ok(cut)
		return
	}
	c.ok(j)
}

// assetDetails builds the details with what p asks for.
func (c *call) assetDetails(a *meta.Asset, p *api.Params) (*detailJSON, error) {
	analyse, err := parseAnalysisFlags(p)
	if err != nil {
		return nil, err
	}
	flags := map[string]bool{}
	for _, k := range []string{"pages", "coordinates", "related", "versions"} {
		v, err := p.Bool(k, false)
		if err != nil {
			return nil, err
		}
		flags[k] = v
	}
	j := &detailJSON{
		resourceJSON: c.resource(a, include{tags: true, context: true, metadata: len(c.visibleMetadata(a)) > 0,
			moderations: true}),
		ETag: a.ETag, Pages: a.Pages, OriginalFilename: a.OriginalFilename,
		LastUpdated: lastUpdatedJSON{UpdatedAt: timeJSON(a.UpdatedAt)},
	}
	if err := c.derivedPage(a, p, j); err != nil {
		return nil, err
	}
	noDetection := analyse.faces && !c.s.images.FacesAvailable()
	if noDetection {
		analyse.faces = false
	}
	if j.analysisJSON, err = c.analysisFor(a, analyse); err != nil {
		return nil, err
	}
	if noDetection {
		faces := nonNilCoords(a.Coordinates.Faces)
		j.Faces, j.FaceDetection = &faces, faceDetectionNote
	}
	if flags["coordinates"] {
		j.Coordinates = &coordinatesJSON{Faces: a.Coordinates.Faces, Custom: a.Coordinates.Custom}
	}
	if flags["related"] {
		if err := c.relatedPage(a, p, j); err != nil {
			return nil, err
		}
	}
	if flags["versions"] {
		if err := c.versions(a, j); err != nil {
			return nil, err
		}
	}
	return j, nil
}

func nonNilCoords(c [][4]int) [][4]int {
	if c == nil {
		return [][4]int{}
	}
	return c
}

// derivedPage adds a page of derived resources: max_results (default 10,
// at most 500) after derived_next_cursor.
func (c *call) derivedPage(a *meta.Asset, p *api.Params, j *detailJSON) error {
	n, err := maxResults(p, defaultDerivedResults, maxDerivedResults)
	if err != nil {
		return err
	}
	cur, err := api.DecodeCursor(p.Get("derived_next_cursor"), "derived")
	if err != nil {
		return err
	}
	after := int64(0)
	if cur != nil {
		after = cur.Seq
	}
	list, err := c.s.meta.ListDerivedAfter(c.ctx(), a.Key, after, n)
	if err != nil {
		return delivery.Internal(err)
	}
	j.Derived = make([]derivedJSON, 0, min(len(list), n))
	for i, d := range list {
		if i == n {
			next := api.Cursor{Kind: "derived", Seq: list[n-1].ID}.Encode()
			j.NextCursor, j.DerivedNextCursor = next, next
			break
		}
		j.Derived = append(j.Derived, c.derived(a, d))
	}
	return nil
}

// relatedPage adds a page of related assets (max_results after
// related_next_cursor).
func (c *call) relatedPage(a *meta.Asset, p *api.Params, j *detailJSON) error {
	n, err := maxResults(p, defaultDerivedResults, maxDerivedResults)
	if err != nil {
		return err
	}
	cur, err := api.DecodeCursor(p.Get("related_next_cursor"), "related")
	if err != nil {
		return err
	}
	after := int64(0)
	if cur != nil {
		after = cur.Seq
	}
	list, err := c.s.meta.Related(c.ctx(), a.Key, after, n)
	if err != nil {
		return delivery.Internal(err)
	}
	out := make([]resourceJSON, 0, min(len(list), n))
	for i, r := range list {
		if i == n {
			j.RelatedNextCursor = api.Cursor{Kind: "related", Seq: list[n-1].Seq}.Encode()
			break
		}
		out = append(out, c.resource(r, include{}))
	}
	j.RelatedAssets = &out
	return nil
}

// versions adds the asset's versions: the current one and its backups.
func (c *call) versions(a *meta.Asset, j *detailJSON) error {
	backups, err := c.s.meta.Backups(c.ctx(), a.Key)
	if err != nil {
		return delivery.Internal(err)
	}
	out := []versionJSON{{VersionID: a.VersionID, Version: a.Version, Format: a.Format, Size: a.Bytes,
		Time: timeJSON(a.UpdatedAt), Restorable: false}}
	for _, b := range backups {
		out = append(out, versionJSON{VersionID: b.VersionID, Version: b.Version, Format: b.Format, Size: b.Bytes,
			Time: timeJSON(b.CreatedAt), Restorable: true})
	}
	j.Versions = &out
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, meta.ErrNotFound) }

// asset reads the asset at key, or answers why not: Resource not found
// (404), or an internal error.
func (c *call) asset(key meta.Key) (*meta.Asset, error) {
	a, err := c.s.meta.Asset(c.ctx(), key)
	if isNotFound(err) {
		return nil, api.NotFound(key.PublicID)
	}
	if err != nil {
		return nil, delivery.Internal(err)
	}
	return a, nil
}
