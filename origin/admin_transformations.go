package origin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/config"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxTransformationDerived is how many derived resources deleting a
// transformation may take with it; above, Cloudinary refuses (403).
const maxTransformationDerived = 1000

// transformationJSON is a transformation in a listing.
type transformationJSON struct {
	Name             string `json:"name"`
	AllowedForStrict bool   `json:"allowed_for_strict"`
	Used             bool   `json:"used"`
	Named            bool   `json:"named"`
}

// transformationRoutes routes /transformations and /transformations/<x>:
// the SDKs name the transformation in the parameters, the docs in the path.
func (c *call) transformationRoutes(tail string) adminRoutes {
	target := func(p *api.Params) string {
		if tail != "" {
			return tail
		}
		return p.Get("transformation")
	}
	return adminRoutes{
		http.MethodGet: {transformationGetSpec(), func(p *api.Params) {
			if t := target(p); t != "" {
				c.getTransformation(t, p)
				return
			}
			c.listTransformations(p)
		}},
		http.MethodPost: {transformationCreateSpec(), func(p *api.Params) {
			name := tail
			if name == "" {
				name = p.Get("name")
			}
			c.createTransformation(name, p)
		}},
		http.MethodPut:    {transformationUpdateSpec(), func(p *api.Params) { c.updateTransformation(target(p), p) }},
		http.MethodDelete: {transformationDeleteSpec(), func(p *api.Params) { c.deleteTransformation(target(p), p) }},
	}
}

// listTransformations serves GET /transformations: named (only named with
// true, only unnamed with false), max_results, next_cursor.
func (c *call) listTransformations(p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	q := meta.TransformationQuery{Cloud: c.cloud, Limit: lp.max + 1}
	if p.Has("named") && p.Get("named") != "" {
		named, err := p.Bool("named", false)
		if err != nil {
			c.fail(err)
			return
		}
		q.Named = &named
	}
	cur, err := api.DecodeCursor(lp.cursor, "transformations")
	if err != nil {
		c.fail(err)
		return
	}
	if cur != nil {
		q.After = cur.Name
	}
	list, err := c.s.meta.Transformations(c.ctx(), q)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Transformations []transformationJSON `json:"transformations"`
		NextCursor      string               `json:"next_cursor,omitempty"`
	}{Transformations: []transformationJSON{}}
	for i, t := range list {
		if i == lp.max {
			out.NextCursor = api.Cursor{Kind: "transformations", Name: listedName(&list[i-1])}.Encode()
			break
		}
		out.Transformations = append(out.Transformations, transformationItem(&t))
	}
	c.ok(out)
}

func listedName(t *meta.Transformation) string {
	if t.Named {
		return "t_" + t.Name
	}
	return t.Name
}

func transformationItem(t *meta.Transformation) transformationJSON {
	return transformationJSON{Name: listedName(t), AllowedForStrict: t.AllowedForStrict, Used: t.Used, Named: t.Named}
}

// resolveTransformation finds what a name or transformation string refers
// to: a named transformation ("name" or "t_name"), else an unnamed one.
func (c *call) resolveTransformation(x string) (*meta.Transformation, error) {
	if x == "" {
		return nil, api.BadRequest("Missing required parameter - transformation")
	}
	name := strings.TrimPrefix(x, "t_")
	if config.ValidTransformationName(name) {
		t, err := c.s.meta.Transformation(c.ctx(), c.cloud, true, name)
		if err == nil {
			return t, nil
		}
		if !isNotFound(err) {
			return nil, delivery.Internal(err)
		}
	}
	t, err := c.s.meta.Transformation(c.ctx(), c.cloud, false, x)
	if isNotFound(err) {
		return nil, delivery.Errorf(http.StatusNotFound, "Transformation not found - %s", api.Clip(x))
	}
	if err != nil {
		return nil, delivery.Internal(err)
	}
	return t, nil
}

// getTransformation serves GET /transformations/<x>: the transformation
// with its parameters (info) and a page of its derived resources.
func (c *call) getTransformation(x string, p *api.Params) {
	t, err := c.resolveTransformation(x)
	if err != nil {
		c.fail(err)
		return
	}
	n, err := maxResults(p, defaultDerivedResults, maxDerivedResults)
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "transformation")
	if err != nil {
		c.fail(err)
		return
	}
	after := int64(0)
	if cur != nil {
		after = cur.Seq
	}
	refs, err := c.s.meta.DerivedUsing(c.ctx(), c.cloud, t.Named, t.Name, after, n)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	type derivedRefJSON struct {
		PublicID     string `json:"public_id"`
		ResourceType string `json:"resource_type"`
		Type         string `json:"type"`
		Format       string `json:"format"`
		URL          string `json:"url"`
		SecureURL    string `json:"secure_url"`
		Bytes        int64  `json:"bytes"`
		ID           string `json:"id"`
	}
	out := struct {
		transformationJSON
		// Definition is a named transformation's string (our extension:
		// info is Cloudinary's description of it).
		Definition string           `json:"definition,omitempty"`
		Info       []map[string]any `json:"info"`
		Derived    []derivedRefJSON `json:"derived"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}{transformationJSON: transformationItem(t), Info: transformationInfo(t.Transformation),
		Derived: []derivedRefJSON{}}
	if t.Named {
		out.Definition = t.Transformation
	}
	for i, r := range refs {
		if i == n {
			out.NextCursor = api.Cursor{Kind: "transformation", Seq: refs[n-1].ID}.Encode()
			break
		}
		a := &meta.Asset{Key: r.Asset, Version: r.Version, AccessMode: r.AccessMode}
		u, su := c.assetURLs(a, r.Transformation, r.Format)
		out.Derived = append(out.Derived, derivedRefJSON{PublicID: r.Asset.PublicID, ResourceType: r.Asset.ResourceType.String(),
			Type: r.Asset.Type.String(), Format: r.Format, URL: u, SecureURL: su, Bytes: r.Bytes, ID: derivedID(r.ID)})
	}
	c.ok(out)
}

// createTransformation serves POST /transformations (name and
// transformation in the parameters) and POST /transformations/<name>.
func (c *call) createTransformation(name string, p *api.Params) {
	name = strings.TrimPrefix(name, "t_")
	if name == "" {
		c.fail(api.BadRequest("Missing required parameter - name"))
		return
	}
	if !config.ValidTransformationName(name) {
		c.fail(api.BadRequest("Invalid transformation name - %s (letters, digits, _ and - only)", api.Clip(name)))
		return
	}
	def := p.Get("transformation")
	if err := checkNamedDefinition(name, def); err != nil {
		c.fail(err)
		return
	}
	allowed, err := p.Bool("allowed_for_strict", true)
	if err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	err = c.s.meta.CreateNamed(c.ctx(), &meta.Transformation{Cloud: c.cloud, Named: true, Name: name,
		Transformation: def, AllowedForStrict: allowed, CreatedAt: now, UpdatedAt: now})
	if errors.Is(err, meta.ErrExists) {
		c.fail(delivery.Errorf(http.StatusConflict, "Transformation %s already exists", name))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string]string{"message": "created"})
}

// namedBody is a named transformation's definition without its empty
// extension: the SDKs send a named transformation's format after a last
// slash, and an empty format (the Node SDK given format "") as a trailing
// slash ("c_scale,w_102/"), which Cloudinary stores and shows as extension
// "none": the delivered format is the URL's, as without it. empty reports
// one. (A non-empty extension, "c_scale,w_102/png", is not implemented: it
// does not parse.)
func namedBody(def string) (body string, empty bool) {
	if b, ok := strings.CutSuffix(def, "/"); ok && b != "" && !strings.HasSuffix(b, "/") {
		return b, true
	}
	return def, false
}

// checkNamedDefinition checks a named transformation's definition: it
// parses (an empty extension aside) and does not use itself.
func checkNamedDefinition(name, def string) error {
	if def == "" {
		return api.BadRequest("Missing required parameter - transformation")
	}
	body, _ := namedBody(def)
	tr, err := delivery.ParseTransformation(body)
	if err != nil {
		return api.BadRequest("Invalid transformation - %s", err.Error())
	}
	for _, comp := range tr.Components {
		if comp.Has(delivery.KeyNamed) {
			for _, n := range strings.Split(comp.Named, ".") {
				if n == name {
					return api.BadRequest("Invalid transformation - %s refers to itself", name)
				}
			}
		}
	}
	return nil
}

// checkTransformationUpdate checks an update of t: a named
// transformation's new definition (unsafe_update), or, of an unnamed one,
// that none is given; canon is an unnamed transformation's canonical form.
func checkTransformationUpdate(t *meta.Transformation, unsafe string) (canon string, err error) {
	if t.Named {
		if unsafe != "" {
			return "", checkNamedDefinition(t.Name, unsafe)
		}
		return "", nil
	}
	if unsafe != "" {
		return "", api.BadRequest("unsafe_update applies to named transformations only")
	}
	tr, err := delivery.ParseTransformation(t.Name)
	if err != nil {
		return "", api.BadRequest("Invalid transformation - %s", err.Error())
	}
	return tr.String(), nil
}

// updateTransformation serves PUT /transformations[/<x>]: allowed_for_strict
// (named or not), unsafe_update (a named transformation's new definition;
// its derived resources are kept and not invalidated, as Cloudinary does).
func (c *call) updateTransformation(x string, p *api.Params) {
	t, err := c.resolveTransformation(x)
	var ae *delivery.Error
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound && !config.ValidTransformationName(strings.TrimPrefix(x, "t_")):
		// An unnamed transformation not used yet can be allowed in advance.
		t = &meta.Transformation{Cloud: c.cloud, Name: x, Transformation: x}
	case err != nil:
		c.fail(err)
		return
	}
	unsafe := p.Get("unsafe_update")
	if !p.Has("allowed_for_strict") && unsafe == "" {
		c.fail(api.BadRequest("Missing required parameter - allowed_for_strict or unsafe_update"))
		return
	}
	allowed, err := p.Bool("allowed_for_strict", t.AllowedForStrict)
	if err != nil {
		c.fail(err)
		return
	}
	canon, err := checkTransformationUpdate(t, unsafe)
	if err != nil {
		c.fail(err)
		return
	}
	err = c.s.meta.UpdateTransformation(c.ctx(), c.cloud, t.Named, t.Name, func(mt *meta.Transformation) error {
		mt.AllowedForStrict = allowed
		mt.UpdatedAt = c.s.now().UTC()
		if unsafe != "" {
			mt.Transformation = unsafe
		}
		if !t.Named {
			mt.Canonical = canon
		}
		return nil
	})
	if isNotFound(err) {
		c.fail(delivery.Errorf(http.StatusNotFound, "Transformation not found - %s", api.Clip(x)))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string]string{"message": "updated"})
}

// deleteTransformation serves DELETE /transformations[/<x>]: the
// transformation goes with its derived resources, whose URLs are purged;
// more than 1,000 derived resources: 403.
func (c *call) deleteTransformation(x string, p *api.Params) {
	t, err := c.resolveTransformation(x)
	if err != nil {
		c.fail(err)
		return
	}
	refs, err := c.s.meta.DeleteTransformation(c.ctx(), c.cloud, t.Named, t.Name, maxTransformationDerived)
	switch {
	case errors.Is(err, meta.ErrTooMany):
		c.fail(delivery.Errorf(http.StatusForbidden, "Transformation %s has more than %d derived resources - delete them first",
			api.Clip(x), maxTransformationDerived))
		return
	case isNotFound(err):
		c.fail(delivery.Errorf(http.StatusNotFound, "Transformation not found - %s", api.Clip(x)))
		return
	case err != nil:
		c.fail(delivery.Internal(err))
		return
	}
	blobs := make([]string, len(refs))
	// Each derived resource's URLs are purged, or, for a named
	// transformation, every URL that uses it (one rule).
	now := c.s.now()
	events := make([]Event, 0, len(refs)+1)
	for i, r := range refs {
		blobs[i] = r.Blob
		events = append(events, derivedDeleted(r.Asset, r.Version, r.Transformation, !t.Named, now))
	}
	c.s.deleteBlobs(blobs...)
	if t.Named {
		events = append(events, Event{Kind: EventTransformationDeleted, Asset: meta.Key{Cloud: c.cloud},
			Named: "t_" + t.Name, Invalidate: true, Time: now})
	}
	inv, err := c.s.events.Emit(c.ctx(), events...)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The transformation was deleted but its invalidation could not be published - retry the request"))
		return
	}
	c.ok(struct {
		Message      string              `json:"message"`
		Invalidation *InvalidationStatus `json:"invalidation,omitempty"`
	}{"deleted", c.report(p, inv)})
}

// paramName is Cloudinary's name of a transformation key, for info; the
// key itself when it has none.
func paramName(k string) string {
	switch k {
	case "w":
		return "width"
	case "h":
		return "height"
	case "c":
		return "crop"
	case "g":
		return "gravity"
	case "q":
		return "quality"
	case "f":
		return "fetch_format"
	case "e":
		return "effect"
	case "r":
		return "radius"
	case "a":
		return "angle"
	case "b":
		return "background"
	case "bo":
		return "border"
	case "o":
		return "opacity"
	case "z":
		return "zoom"
	case "fl":
		return "flags"
	case "t":
		return "transformation"
	case "ar":
		return "aspect_ratio"
	case "d":
		return "default_image"
	case "pg":
		return "page"
	case "co":
		return "color"
	case "cs":
		return "color_space"
	case "dn":
		return "density"
	case "l":
		return "overlay"
	case "u":
		return "underlay"
	case "dl":
		return "delay"
	case "p":
		return "prefix"
	case "fn":
		return "custom_function"
	}
	return k // x, y, dpr, if and keys without a longer name
}

// transformationInfo describes a transformation string: one object per
// component, Cloudinary parameter names to values (numbers as numbers); a
// named transformation's empty extension (namedBody) is extension "none"
// in the last, as Cloudinary shows it.
func transformationInfo(tx string) []map[string]any {
	tx, noExtension := namedBody(tx)
	out := []map[string]any{}
	for _, comp := range strings.Split(tx, "/") {
		m := map[string]any{}
		for _, tok := range strings.Split(comp, ",") {
			k, v, ok := strings.Cut(tok, "_")
			if !ok || k == "" {
				continue
			}
			k = paramName(k)
			if n, err := strconv.Atoi(v); err == nil {
				m[k] = n
			} else if f, err := strconv.ParseFloat(v, 64); err == nil {
				m[k] = f
			} else {
				m[k] = v
			}
		}
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	if noExtension && len(out) > 0 {
		out[len(out)-1]["extension"] = "none"
	}
	return out
}
