package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// The Transformations page: the cloud's named transformations (Admin
// transformations), created, edited (unsafe_update) and deleted through
// the Admin API, with a preview on a chosen image and the derived images
// an update leaves in place.

// namedItem is a named transformation in the list.
type namedItem struct {
	Name             string `json:"name"`
	AllowedForStrict bool   `json:"allowed_for_strict"`
	Used             bool   `json:"used"`
}

// namedDetails is a named transformation with the first derived images
// made with it.
type namedDetails struct {
	namedItem
	Definition string `json:"definition"`
	Derived    []struct {
		ID           string `json:"id"`
		PublicID     string `json:"public_id"`
		ResourceType string `json:"resource_type"`
		Type         string `json:"type"`
		Format       string `json:"format"`
		Bytes        int64  `json:"bytes"`
		URL          string `json:"secure_url"`
	} `json:"derived"`
	NextCursor string `json:"next_cursor"`
}

// derivedShown bounds the derived images the page lists (and deletes at
// once: the Admin API's derived_resource_ids take up to 100).
const derivedShown = 100

// transformations lists the named transformations a page at a time.
func (p *page) transformations() {
	params := url.Values{"named": {"true"}, "max_results": {strconv.Itoa(pageSize)}}
	cursor := p.r.URL.Query().Get("cursor")
	if cursor != "" {
		params.Set("next_cursor", cursor)
	}
	var out struct {
		Transformations []namedItem `json:"transformations"`
		NextCursor      string      `json:"next_cursor"`
	}
	if err := p.api(http.MethodGet, "transformations", params, &out); err != nil {
		p.fail(err)
		return
	}
	next := ""
	if out.NextCursor != "" {
		next = "/console/transformations?cursor=" + url.QueryEscape(out.NextCursor)
	}
	p.render("transformations", map[string]any{"List": out.Transformations, "Next": next, "First": cursor != "",
		"Done": p.r.URL.Query().Get("done")})
}

// transformation shows one named transformation: its definition to edit,
// a preview of the definition being edited on an image, and the derived
// images made with it.
func (p *page) transformation() {
	q := p.r.URL.Query()
	name := q.Get("name")
	var t namedDetails
	if err := p.api(http.MethodGet, "transformations/"+name, url.Values{"max_results": {strconv.Itoa(derivedShown)}}, &t); err != nil {
		p.fail(err)
		return
	}
	def := t.Definition
	if q.Has("definition") {
		def = q.Get("definition")
	}
	data := map[string]any{"T": t, "Name": name, "Definition": def, "Asset": q.Get("asset"),
		"Done": q.Get("done"), "Invalidation": q.Get("inv")}
	if id := q.Get("asset"); id != "" {
		data["Preview"] = p.preview(id, def)
	}
	p.render("transformation", data)
}

// preview is the image id (image, upload) with the definition being
// edited, not saved yet, as its transformation: a signed URL, so that a
// cloud with strict transformations makes it too.
func (p *page) preview(id, def string) builder {
	b := builder{Transformation: def}
	var a resource
	var ae *apiError
	if err := p.api(http.MethodGet, "resources/image/upload/"+id, url.Values{"max_results": {"1"}}, &a); errors.As(err, &ae) {
		b.Error = ae.Message
		return b
	} else if err != nil {
		b.Error = "Internal error"
		return b
	}
	tx := strings.Trim(strings.TrimSpace(def), "/")
	if _, err := delivery.ParseTransformation(tx); err != nil {
		b.Error = "Invalid transformation - " + err.Error()
		return b
	}
	b.URL, b.Signed = p.h.assetURL(p.s.cloud, a, tx, true), true
	return b
}

// transformationBack redirects to a transformation's page.
func (p *page) transformationBack(name, done string, inv *invalidation) {
	v := url.Values{"name": {name}, "done": {done}}
	if a := p.r.PostFormValue("asset"); a != "" {
		v.Set("asset", a)
	}
	if inv != nil {
		v.Set("inv", inv.ID)
	}
	http.Redirect(p.w, p.r, "/console/transformation?"+v.Encode(), http.StatusSeeOther)
}

// createTransformation makes a named transformation (Admin create).
func (p *page) createTransformation() {
	f := p.r.PostForm
	name := strings.TrimPrefix(strings.TrimSpace(f.Get("name")), "t_")
	params := url.Values{"transformation": {strings.TrimSpace(f.Get("definition"))},
		"allowed_for_strict": {strconv.FormatBool(f.Get("allowed_for_strict") == "true")}}
	if err := p.api(http.MethodPost, "transformations/"+name, params, nil); err != nil {
		p.fail(err)
		return
	}
	p.transformationBack("t_"+name, "Created t_"+name, nil)
}

// updateTransformation changes a named transformation's definition
// (unsafe_update) and whether it is allowed for strict. The Admin API
// keeps its derived images: the page lists them after.
func (p *page) updateTransformation() {
	f := p.r.PostForm
	name := f.Get("name")
	params := url.Values{"allowed_for_strict": {strconv.FormatBool(f.Get("allowed_for_strict") == "true")}}
	if def := strings.TrimSpace(f.Get("definition")); def != f.Get("saved") {
		params.Set("unsafe_update", def)
	}
	var out struct {
		Message string `json:"message"`
	}
	if err := p.api(http.MethodPut, "transformations/"+name, params, &out); err != nil {
		p.fail(err)
		return
	}
	p.transformationBack(name, "Saved ("+out.Message+")", nil)
}

// deleteTransformation deletes a named transformation with its derived
// images, whose URLs the Admin API purges.
func (p *page) deleteTransformation() {
	name := p.r.PostFormValue("name")
	var out struct {
		Invalidation *invalidation `json:"invalidation"`
	}
	if err := p.api(http.MethodDelete, "transformations/"+name, nil, &out); err != nil {
		p.fail(err)
		return
	}
	v := url.Values{"done": {"Deleted " + name + " and its derived images"}}
	if out.Invalidation != nil {
		v.Set("inv", out.Invalidation.ID)
	}
	http.Redirect(p.w, p.r, "/console/purges?"+v.Encode(), http.StatusSeeOther)
}

// deleteTransformationDerived deletes the derived images the page listed
// (up to 100) and purges their URLs: what an unsafe update left in place.
func (p *page) deleteTransformationDerived() {
	ids := p.r.PostForm["derived_id"]
	if len(ids) == 0 || len(ids) > derivedShown {
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Choose between 1 and 100 derived images")
		return
	}
	var out deleteResult
	if err := p.api(http.MethodDelete, "derived_resources", url.Values{"derived_resource_ids[]": ids, "invalidate": {"true"}}, &out); err != nil {
		p.fail(err)
		return
	}
	p.transformationBack(p.r.PostFormValue("name"), strconv.Itoa(len(out.Deleted))+" derived image(s) deleted", out.Invalidation)
}
