package origin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/origin/search"
)

// Page sizes of searches.
const (
	defaultSearchResults = 50
	maxSearchResults     = 500
)

// searchSpec is GET|POST resources/search.
func searchSpec() api.MethodParams {
	return only("expression", "sort_by", "max_results", "next_cursor", "aggregate", "with_field", "fields")
}

// searchRequest is a search's parameters, checked.
type searchRequest struct {
	expr      string
	node      search.Node
	sort      []meta.SortKey
	max       int
	cursor    string
	aggregate []searchAggregation
	with      map[string]bool
	fields    []string
}

// searchAssets serves GET|POST resources/search: Cloudinary's Search API
// (docs/search.md).
func (c *call) searchAssets(p *api.Params) {
	start := time.Now()
	req, err := c.parseSearch(p)
	if err != nil {
		c.fail(err)
		return
	}
	kind := searchCursorKind(req)
	q := meta.SearchQuery{Cloud: c.cloud, Expr: req.node, Sort: req.sort, Limit: req.max, Count: req.cursor == ""}
	for _, a := range req.aggregate {
		if a.ranges == nil {
			q.Aggregate = append(q.Aggregate, a.field)
		} else {
			q.Ranges = append(q.Ranges, meta.RangeAggregation{Field: a.field, Ranges: a.ranges})
		}
	}
	var pos searchPosition
	if req.cursor != "" {
		if err := c.openSearchCursor(req.cursor, kind, &pos); err != nil {
			c.fail(err)
			return
		}
		q.After = pos.After
	}
	ctx, cancel := c.searchContext()
	defer cancel()
	page, err := c.s.meta.Search(ctx, q)
	if err != nil {
		c.fail(searchFailure(ctx, err, req.cursor))
		return
	}
	if req.cursor != "" {
		page.Total = pos.Total // counted with the first page
	}
	out := searchJSON{TotalCount: page.Total, Resources: []json.RawMessage{}}
	if len(req.aggregate) > 0 {
		out.Aggregations = &aggregationsJSON{asked: req.aggregate, counts: page.Aggregations}
	}
	for _, a := range page.Assets {
		r, err := c.searchResource(a, req)
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		out.Resources = append(out.Resources, r)
	}
	if page.Next != nil {
		out.NextCursor = c.searchCursor(kind, searchPosition{After: page.Next, Total: page.Total})
	}
	out.Time = time.Since(start).Milliseconds()
	c.ok(out)
}

// searchFailure is the answer to a failed search or folder search (ctx
// the search's, cursor the next_cursor it was given): past search_timeout
// 400, as the expression is what to change; the expression's positioned
// error; a cursor that does not fit; else an internal failure.
func searchFailure(ctx context.Context, err error, cursor string) error {
	var se *search.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return api.BadRequest("Search timed out - narrow the expression")
	case errors.As(err, &se):
		return api.BadRequest("%s", se.Error())
	case errors.Is(err, meta.ErrBadPosition):
		return api.BadRequest("Invalid next_cursor - %s", api.Clip(cursor))
	}
	return delivery.Internal(err)
}

// searchContext bounds a search's queries by search_timeout: the
// databases stop a query when its context ends.
func (c *call) searchContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx(), c.s.cfg.SearchTimeout)
}

// searchPosition is what a search's next_cursor carries: where the next
// page starts, and the total the first page counted (later pages do not
// count again).
type searchPosition struct {
	After []string `json:"a"`
	Total int64    `json:"t"`
}

// searchCursor encodes a position as a cursor of kind, signed with the
// cloud's API secret (HMAC-SHA256): a cursor changed by hand is refused.
func (c *call) searchCursor(kind string, pos searchPosition) string {
	b, _ := json.Marshal(pos)
	enc := api.Cursor{Kind: kind, Name: string(b)}.Encode()
	return enc + "." + c.cursorMAC(enc)
}

func (c *call) cursorMAC(enc string) string {
	m := hmac.New(sha256.New, []byte(c.cl.APISecret))
	m.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// openSearchCursor checks a cursor's signature and kind and reads its
// position.
func (c *call) openSearchCursor(s, kind string, pos *searchPosition) error {
	bad := api.BadRequest("Invalid next_cursor - %s", api.Clip(s))
	enc, ok := c.searchCursorSigned(s)
	if !ok {
		return bad
	}
	cur, err := api.DecodeCursor(enc, kind)
	if err != nil || json.Unmarshal([]byte(cur.Name), pos) != nil {
		return bad
	}
	return nil
}

// searchCursorSigned checks a cursor's signature: ok when this cloud's
// searches made it, with enc its encoded part.
func (c *call) searchCursorSigned(s string) (enc string, ok bool) {
	enc, mac, ok := strings.Cut(s, ".")
	return enc, ok && hmac.Equal([]byte(mac), []byte(c.cursorMAC(enc)))
}

// searchCursorKind binds a search's cursors to its expression and order:
// a cursor given to another search is refused, not misread.
func searchCursorKind(req searchRequest) string {
	h := sha256.New()
	h.Write([]byte(req.expr))
	for _, k := range req.sort {
		h.Write([]byte{0})
		h.Write([]byte(k.Field))
		if k.Desc {
			h.Write([]byte{1})
		}
	}
	return "search:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// searchWithFields are what with_field adds to each asset.
var searchWithFields = map[string]bool{"tags": true, "context": true, "metadata": true, "image_metadata": true,
	"image_analysis": true}

// parseSearch reads and checks a search's parameters.
func (c *call) parseSearch(p *api.Params) (searchRequest, error) {
	var req searchRequest
	var err error
	if req.max, err = maxResults(p, defaultSearchResults, maxSearchResults); err != nil {
		return req, err
	}
	req.expr, req.cursor = p.Get("expression"), p.Get("next_cursor")
	md, err := c.searchMetadataKinds(req.expr)
	if err != nil {
		return req, err
	}
	if req.node, err = search.ParseWith(req.expr, c.s.now(), md); err != nil {
		return req, api.BadRequest("%s", err.Error())
	}
	if req.sort, err = sortKeysOf(p, meta.SortField); err != nil {
		return req, err
	}
	if req.aggregate, err = parseAggregate(p); err != nil { // search_aggregate.go
		return req, err
	}
	req.with = map[string]bool{}
	for _, f := range p.List("with_field") {
		if !searchWithFields[f] {
			return req, api.BadRequest("Unsupported with_field - %s (supported: tags, context, metadata, image_metadata, image_analysis)", api.Clip(f))
		}
		req.with[f] = true
	}
	req.fields = p.List("fields")
	for _, f := range req.fields {
		if searchWithFields[f] {
			req.with[f] = true
		}
	}
	if len(req.fields) > 0 {
		for f := range req.with {
			if !named(req.fields, f) {
				req.fields = append(req.fields, f)
			}
		}
	}
	return req, nil
}

// searchMetadataKinds are the kinds of the cloud's structured metadata
// fields that an expression's metadata.<external_id> terms compare with:
// strings as text with words (: a word, = the whole value), the entries'
// external IDs of enums and sets as text,
// integers as numbers, dates as dates. Read only for an expression that
// names metadata.
func (c *call) searchMetadataKinds(expr string) (search.MetadataKinds, error) {
	if !strings.Contains(expr, "metadata.") {
		return nil, nil
	}
	s, err := c.metadataSchema()
	if err != nil {
		return nil, err
	}
	out := search.MetadataKinds{}
	for _, f := range s.fields {
		switch f.Type {
		case meta.MetadataTypeInteger:
			out[f.ExternalID] = search.Number
		case meta.MetadataTypeDate:
			out[f.ExternalID] = search.Date
		case meta.MetadataTypeString:
			out[f.ExternalID] = search.TextWords
		default:
			out[f.ExternalID] = search.Text
		}
	}
	return out, nil
}

// maxSortKeys bounds sort_by: each key is an ORDER BY term and a value
// in every cursor.
const maxSortKeys = 5

// sortKeysOf reads every sort_by value of fields that known accepts: at
// most maxSortKeys, each field once.
func sortKeysOf(p *api.Params, known func(string) bool) ([]meta.SortKey, error) {
	var out []meta.SortKey
	for _, v := range p.Values("sort_by") {
		keys, err := parseSortKeys(v, known)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if slices.ContainsFunc(out, func(o meta.SortKey) bool { return o.Field == k.Field }) {
				return nil, api.BadRequest("Invalid sort_by - %s is given twice", api.Clip(k.Field))
			}
			out = append(out, k)
		}
	}
	if len(out) > maxSortKeys {
		return nil, api.BadRequest("Invalid sort_by - at most %d fields", maxSortKeys)
	}
	return out, nil
}

// parseSortKeys reads one sort_by value of fields that known accepts: a
// JSON object {"field": "asc" | "desc"} (the SDKs' JSON bodies), or
// field, field:dir or "field dir".
func parseSortKeys(v string, known func(string) bool) ([]meta.SortKey, error) {
	type kv struct{ k, dir string }
	var pairs []kv
	if strings.HasPrefix(strings.TrimSpace(v), "{") {
		var obj map[string]string
		if err := json.Unmarshal([]byte(v), &obj); err != nil || len(obj) != 1 {
			return nil, api.BadRequest("Invalid sort_by - %s", api.Clip(v))
		}
		for k, d := range obj {
			pairs = append(pairs, kv{k, d})
		}
	} else {
		k, d, _ := strings.Cut(strings.TrimSpace(v), ":")
		if f := strings.Fields(k); len(f) == 2 && d == "" {
			k, d = f[0], f[1]
		}
		pairs = append(pairs, kv{strings.TrimSpace(k), strings.TrimSpace(d)})
	}
	var out []meta.SortKey
	for _, p := range pairs {
		if !known(p.k) {
			return nil, api.BadRequest("Unsupported sort_by field - %s", api.Clip(p.k))
		}
		switch strings.ToLower(p.dir) {
		case "", "desc", "-1", "descending":
			out = append(out, meta.SortKey{Field: p.k, Desc: true})
		case "asc", "1", "ascending":
			out = append(out, meta.SortKey{Field: p.k})
		default:
			return nil, api.BadRequest("Invalid sort_by direction - %s (must be asc or desc)", api.Clip(p.dir))
		}
	}
	return out, nil
}

// searchJSON is a search's answer (the Go SDK's admin.SearchResult).
type searchJSON struct {
	TotalCount   int64             `json:"total_count"`
	Time         int64             `json:"time"`
	NextCursor   string            `json:"next_cursor,omitempty"`
	Resources    []json.RawMessage `json:"resources"`
	Aggregations *aggregationsJSON `json:"aggregations,omitempty"`
}

// searchResourceJSON is an asset as the Search API shows it (the Go
// SDK's admin.SearchAsset).
type searchResourceJSON struct {
	AssetID       string             `json:"asset_id"`
	PublicID      string             `json:"public_id"`
	Folder        string             `json:"folder"`
	AssetFolder   string             `json:"asset_folder"`
	Filename      string             `json:"filename"`
	DisplayName   string             `json:"display_name"`
	Format        string             `json:"format"`
	Version       int64              `json:"version"`
	ResourceType  string             `json:"resource_type"`
	Type          string             `json:"type"`
	CreatedAt     string             `json:"created_at"`
	UploadedAt    string             `json:"uploaded_at"`
	Bytes         int64              `json:"bytes"`
	BackupBytes   int64              `json:"backup_bytes"`
	Width         int                `json:"width"`
	Height        int                `json:"height"`
	AspectRatio   float64            `json:"aspect_ratio"`
	Pixels        int64              `json:"pixels"`
	Pages         int                `json:"pages,omitempty"`
	URL           string             `json:"url"`
	SecureURL     string             `json:"secure_url"`
	Status        string             `json:"status"`
	AccessMode    string             `json:"access_mode"`
	AccessControl any                `json:"access_control"`
	ETag          string             `json:"etag"`
	Tags          *[]string          `json:"tags,omitempty"`
	Context       *map[string]string `json:"context,omitempty"`
	Metadata      *map[string]any    `json:"metadata,omitempty"`
	ImageMetadata *map[string]string `json:"image_metadata,omitempty"`
	ImageAnalysis *imageAnalysisJSON `json:"image_analysis,omitempty"`
}

// imageAnalysisJSON is with_field image_analysis (the Go SDK's
// admin.ImageAnalysis).
type imageAnalysisJSON struct {
	FaceCount   int                `json:"face_count"`
	Faces       [][4]int           `json:"faces"`
	Grayscale   bool               `json:"grayscale"`
	Transparent bool               `json:"transparent"`
	ETag        string             `json:"etag"`
	Colors      map[string]float64 `json:"colors"`
}

// searchResource builds one asset of a search's answer.
func (c *call) searchResource(a *meta.Asset, req searchRequest) (json.RawMessage, error) {
	filename := a.PublicID[strings.LastIndexByte(a.PublicID, '/')+1:]
	j := searchResourceJSON{
		AssetID: a.AssetID, PublicID: a.PublicID, Folder: folderOf(a.PublicID), AssetFolder: a.AssetFolder,
		Filename: filename, DisplayName: a.DisplayName, Format: a.Format, Version: a.Version,
		ResourceType: a.ResourceType.String(), Type: a.Type.String(), CreatedAt: timeJSON(a.CreatedAt),
		UploadedAt: timeJSON(time.Unix(a.Version, 0)), Bytes: a.Bytes, Width: a.Width, Height: a.Height,
		Pixels: int64(a.Width) * int64(a.Height), Pages: a.Pages, Status: "active", AccessMode: accessModeOf(a),
		ETag: a.ETag,
	}
	if a.Height > 0 {
		j.AspectRatio = float64(int(float64(a.Width)/float64(a.Height)*1e5+0.5)) / 1e5
	}
	if a.ResourceType == delivery.Raw {
		j.Format = ""
	}
	j.URL, j.SecureURL = c.assetURLs(a, "", a.Format)
	if req.with["tags"] {
		tags := nonNil(a.Tags)
		j.Tags = &tags
	}
	if req.with["context"] {
		ctx := a.Context
		if ctx == nil {
			ctx = map[string]string{}
		}
		j.Context = &ctx
	}
	if req.with["metadata"] {
		md := c.visibleMetadata(a) // metadata_values.go
		j.Metadata = &md
	}
	if (req.with["image_metadata"] || req.with["image_analysis"]) && a.ResourceType == delivery.Image {
		if err := c.searchAnalysis(a, req, &j); err != nil {
			return nil, err
		}
	}
	if len(req.fields) == 0 {
		return json.Marshal(j)
	}
	return onlyFields(j, a, slices.Concat(req.fields, searchAlwaysFields))
}

// searchAlwaysFields are in every asset the Search API answers when fields
// limits them, besides public_id, asset_id and folder (onlyFields): the
// Node SDK's own suite expects them of Cloudinary.
var searchAlwaysFields = []string{"created_at", "status", "type", "resource_type"}

// searchAnalysis adds image_metadata and image_analysis, computed from
// the original when first asked for (as details do).
func (c *call) searchAnalysis(a *meta.Asset, req searchRequest, j *searchResourceJSON) error {
	an, err := c.s.analysis(c.ctx(), a)
	if err != nil {
		return err
	}
	if req.with["image_metadata"] {
		j.ImageMetadata = an.answer(analysisFlags{imageMetadata: true}).ImageMetadata
	}
	if req.with["image_analysis"] {
		ia := &imageAnalysisJSON{Faces: nonNilCoords(a.Coordinates.Faces), Grayscale: an.Grayscale,
			Transparent: an.SemiTransparent, ETag: a.ETag, Colors: map[string]float64{}}
		if len(ia.Faces) == 0 && an.FacesDetected {
			ia.Faces = nonNilCoords(an.Faces)
		}
		ia.FaceCount = len(ia.Faces)
		for _, s := range an.Colors {
			ia.Colors[s.Color] = s.Percent
		}
		j.ImageAnalysis = ia
	}
	return nil
}
