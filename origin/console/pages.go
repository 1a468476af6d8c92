package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
)

// page is one signed-in request being served.
type page struct {
	h *Handler
	w http.ResponseWriter
	r *http.Request
	s *session
}

// pageRoutes are the console's pages by path under /console and method.
var pageRoutes = map[string]map[string]func(*page){
	"/signout":                       {http.MethodPost: (*page).signout},
	"/library":                       {http.MethodGet: (*page).library},
	"/asset":                         {http.MethodGet: (*page).asset},
	"/asset/update":                  {http.MethodPost: (*page).updateAsset},
	"/asset/derived/delete":          {http.MethodPost: (*page).deleteDerived},
	"/asset/derived/destroy":         {http.MethodPost: (*page).deleteAllDerived},
	"/asset/delete":                  {http.MethodPost: (*page).deleteAsset},
	"/asset/rename":                  {http.MethodPost: (*page).rename},
	"/asset/restore":                 {http.MethodPost: (*page).restore},
	"/asset/metadata":                {http.MethodPost: (*page).updateMetadata},
	"/purges":                        {http.MethodGet: (*page).purges, http.MethodPost: (*page).purge},
	"/invalidation.json":             {http.MethodGet: (*page).invalidationJSON},
	"/edges.json":                    {http.MethodGet: (*page).edgesJSON},
	"/upload":                        {http.MethodGet: (*page).uploadPage},
	"/bulk":                          {http.MethodPost: (*page).bulk},
	"/bulk.json":                     {http.MethodPost: (*page).bulkJSON},
	"/usage":                         {http.MethodGet: (*page).usage},
	"/transformations":               {http.MethodGet: (*page).transformations},
	"/transformations/create":        {http.MethodPost: (*page).createTransformation},
	"/transformation":                {http.MethodGet: (*page).transformation},
	"/transformation/update":         {http.MethodPost: (*page).updateTransformation},
	"/transformation/delete":         {http.MethodPost: (*page).deleteTransformation},
	"/transformation/derived/delete": {http.MethodPost: (*page).deleteTransformationDerived},
	"/upload.json":                   {http.MethodPost: (*page).upload},
}

// pageSize is the number of assets on a library page.
const pageSize = 30

// render shows a page with the session's data.
func (p *page) render(name string, data map[string]any) {
	p.renderStatus(http.StatusOK, name, data)
}

// renderStatus shows a page with the session's data and a status.
func (p *page) renderStatus(status int, name string, data map[string]any) {
	data["Session"], data["Cloud"], data["CSRF"] = true, p.s.cloud, p.s.csrf
	data["Page"] = name
	p.h.render(p.w, status, name, data)
}

// fail shows an API error's public message with its status.
func (p *page) fail(err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		p.h.fail(p.w, p.r, p.s, ae.Status, ae.Message)
		return
	}
	p.h.fail(p.w, p.r, p.s, http.StatusInternalServerError, "Internal error")
}

func (p *page) api(method, path string, params url.Values, out any) error {
	return p.h.callAPI(p.r, p.s.cloud, method, path, params, out)
}

// kind is the resource type and delivery type of a request's rt and
// type (image and upload by default), checked by the API they go to.
func (p *page) kind() (rt, typ string) {
	rt, typ = p.r.FormValue("rt"), p.r.FormValue("type")
	if rt == "" {
		rt = "image"
	}
	if typ == "" {
		typ = "upload"
	}
	return rt, typ
}

// crumb is one level of the prefix being browsed.
type crumb struct{ Name, Prefix string }

func crumbs(prefix string) []crumb {
	var out []crumb
	acc := ""
	for seg := range strings.SplitSeq(strings.TrimSuffix(prefix, "/"), "/") {
		if seg == "" {
			continue
		}
		acc += seg + "/"
		out = append(out, crumb{Name: seg, Prefix: acc})
	}
	return out
}

// assetPath is the Admin API path of the request's asset.
func (p *page) assetPath() (string, string, string, string) {
	rt, typ := p.kind()
	id := p.r.FormValue("id")
	return "resources/" + rt + "/" + typ + "/" + id, rt, typ, id
}

// asset shows an asset's details, derived images, versions, metadata
// form and delivery URL builder.
func (p *page) asset() {
	path, rt, typ, id := p.assetPath()
	var a resource
	if err := p.api(http.MethodGet, path, url.Values{"max_results": {"100"}, "versions": {"true"}}, &a); err != nil {
		p.fail(err)
		return
	}
	keys := make([]string, 0, len(a.Context.Custom))
	for k := range a.Context.Custom {
		keys = append(keys, k)
	}
	var ctx []string
	for _, k := range sortStrings(keys) {
		ctx = append(ctx, k+"="+a.Context.Custom[k])
	}
	fields, err := p.metadataForm(a.Metadata)
	if err != nil {
		p.fail(err)
		return
	}
	named, err := p.namedTransformations()
	if err != nil {
		p.fail(err)
		return
	}
	q := p.r.URL.Query()
	data := map[string]any{"A": a, "RT": rt, "Type": typ, "ID": id, "Context": strings.Join(ctx, "|"),
		"Folder": folderOf(id), "Invalidation": q.Get("inv"), "Done": q.Get("done"), "Fields": fields, "Named": named}
	if q.Has("tx") || q.Has("named") {
		data["Builder"] = p.build(a, q.Get("tx"), q.Get("named"))
	} else {
		data["Builder"] = builder{}
	}
	p.render("asset", data)
}

func folderOf(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[:i+1]
	}
	return ""
}

// back redirects to the asset's page, naming what was done and its
// invalidation.
func (p *page) back(done string, inv *invalidation) {
	rt, typ := p.kind()
	v := url.Values{"rt": {rt}, "type": {typ}, "id": {p.r.FormValue("id")}, "done": {done}}
	if inv != nil {
		v.Set("inv", inv.ID)
	}
	http.Redirect(p.w, p.r, "/console/asset?"+v.Encode(), http.StatusSeeOther)
}

// updateAsset replaces the asset's tags and context (Admin update).
func (p *page) updateAsset() {
	path, _, _, _ := p.assetPath()
	params := url.Values{"tags": {p.r.PostFormValue("tags")}, "context": {p.r.PostFormValue("context")}}
	if err := p.api(http.MethodPost, path, params, nil); err != nil {
		p.fail(err)
		return
	}
	p.back("Tags and context saved", nil)
}

// deleteDerived deletes one derived image and purges its URLs.
func (p *page) deleteDerived() {
	var out struct {
		Deleted      map[string]string `json:"deleted"`
		Invalidation *invalidation     `json:"invalidation"`
	}
	params := url.Values{"derived_resource_ids[]": {p.r.PostFormValue("derived_id")}, "invalidate": {"true"}}
	if err := p.api(http.MethodDelete, "derived_resources", params, &out); err != nil {
		p.fail(err)
		return
	}
	p.back("Derived image deleted", out.Invalidation)
}

// deleteResult is a bulk delete's answer.
type deleteResult struct {
	Deleted      map[string]string `json:"deleted"`
	Invalidation *invalidation     `json:"invalidation"`
}

// deleteAllDerived deletes every derived image of the asset
// (keep_original), purging their URLs.
func (p *page) deleteAllDerived() {
	rt, typ := p.kind()
	var out deleteResult
	params := url.Values{"public_ids[]": {p.r.PostFormValue("id")}, "keep_original": {"true"}, "invalidate": {"true"}}
	if err := p.api(http.MethodDelete, "resources/"+rt+"/"+typ, params, &out); err != nil {
		p.fail(err)
		return
	}
	p.back("All derived images deleted", out.Invalidation)
}

// maxBulkCalls bounds the Admin API calls of one bulk deletion by prefix
// (each deletes up to 1,000 assets, then answers partial).
const maxBulkCalls = 100

// bulkParams are the Admin delete's parameters of a bulk form: the
// selected assets or a prefix, keep_original for derived images only,
// invalidate; what names what is deleted.
func (p *page) bulkParams() (params url.Values, what string, ok bool) {
	f := p.r.PostForm
	params = url.Values{"invalidate": {"true"}}
	what = "assets"
	if f.Get("action") == "derived" {
		params.Set("keep_original", "true")
		what = "derived images of assets"
	}
	switch f.Get("scope") {
	case "selected":
		ids := f["public_ids"]
		if len(ids) == 0 {
			p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Select at least one asset")
			return nil, "", false
		}
		params["public_ids[]"] = ids
	case "prefix":
		if f.Get("prefix") == "" {
			p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Missing prefix - the whole cloud is not deleted from the console")
			return nil, "", false
		}
		params.Set("prefix", f.Get("prefix"))
	case "search":
		expr, ok := p.bulkExpression()
		if !ok {
			return nil, "", false
		}
		params.Set("expression", expr)
	default:
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Choose what to delete: selected, prefix or search")
		return nil, "", false
	}
	return params, what, true
}

// chunk is one Admin API call of a bulk deletion: how many it deleted,
// and the cursor of the next one when partial.
type chunk struct {
	Deleted      int           `json:"deleted"`
	Partial      bool          `json:"partial"`
	NextCursor   string        `json:"next_cursor,omitempty"`
	Invalidation *invalidation `json:"invalidation,omitempty"`
	// Done is what the whole deletion did, on its last chunk.
	Done string `json:"done,omitempty"`
}

// bulkChunk makes one Admin delete call (up to 1,000 assets of a
// prefix), or with an expression one chunk of a search (searchChunk).
func (p *page) bulkChunk(params url.Values) (chunk, error) {
	if params.Has("expression") {
		return p.searchChunk(params)
	}
	rt, typ := p.kind()
	var out struct {
		deleteResult
		Partial    bool   `json:"partial"`
		NextCursor string `json:"next_cursor"`
	}
	if err := p.api(http.MethodDelete, "resources/"+rt+"/"+typ, params, &out); err != nil {
		return chunk{}, err
	}
	c := chunk{Partial: out.Partial && out.NextCursor != "", Invalidation: out.Invalidation}
	if c.Partial {
		c.NextCursor = out.NextCursor
	}
	for _, st := range out.Deleted {
		if st == "deleted" {
			c.Deleted++
		}
	}
	return c, nil
}

func bulkDone(deleted int, what string, calls int) string {
	return fmt.Sprintf("Deleted %d %s in %d Admin API call(s)", deleted, what, calls)
}

// bulkDoneOf is what a whole bulk deletion did: by search, its calls
// are chunks of a Search API page and an Admin delete each.
func bulkDoneOf(params url.Values, deleted int, what string, calls int) string {
	if params.Has("expression") {
		return fmt.Sprintf("Deleted %d %s matching the search in %d chunk(s)", deleted, what, calls)
	}
	return bulkDone(deleted, what, calls)
}

// bulk deletes the selected assets, or every asset under a prefix, or
// only their derived images (keep_original), with invalidate; a prefix
// is worked through in the Admin API's chunks, repeated while partial.
// It then shows the last chunk's invalidation (edges apply in order).
// The page's script uses bulk.json instead, a chunk a request, to show
// the progress.
func (p *page) bulk() {
	params, what, ok := p.bulkParams()
	if !ok {
		return
	}
	deleted, calls := 0, 0
	var inv *invalidation
	for {
		c, err := p.bulkChunk(params)
		if err != nil {
			p.fail(err)
			return
		}
		calls++
		deleted += c.Deleted
		if c.Invalidation != nil {
			inv = c.Invalidation
		}
		if !c.Partial || calls == maxBulkCalls {
			break
		}
		params.Set("next_cursor", c.NextCursor)
	}
	v := url.Values{"done": {bulkDoneOf(params, deleted, what, calls)}}
	if inv != nil {
		v.Set("inv", inv.ID)
	}
	http.Redirect(p.w, p.r, "/console/purges?"+v.Encode(), http.StatusSeeOther)
}

// bulkJSON is one chunk of a bulk deletion (the form's fields, with
// next_cursor after the first), for the page's script; with deleted and
// calls (the totals so far, counted by the script), its last chunk
// carries what the whole deletion did.
func (p *page) bulkJSON() {
	params, what, ok := p.bulkParams()
	if !ok {
		return
	}
	if c := p.r.PostFormValue("next_cursor"); c != "" {
		params.Set("next_cursor", c)
	}
	c, err := p.bulkChunk(params)
	if err != nil {
		p.fail(err)
		return
	}
	if !c.Partial {
		before, _ := strconv.Atoi(p.r.PostFormValue("deleted"))
		calls, _ := strconv.Atoi(p.r.PostFormValue("calls"))
		c.Done = bulkDoneOf(params, before+c.Deleted, what, calls+1)
	}
	api.WriteJSON(p.w, http.StatusOK, c)
}

// deleteAsset deletes the asset with invalidate, then shows its folder
// and the purge's progress.
func (p *page) deleteAsset() {
	rt, typ := p.kind()
	id := p.r.PostFormValue("id")
	var out deleteResult
	params := url.Values{"public_ids[]": {id}, "invalidate": {"true"}}
	if err := p.api(http.MethodDelete, "resources/"+rt+"/"+typ, params, &out); err != nil {
		p.fail(err)
		return
	}
	v := url.Values{}
	if out.Invalidation != nil {
		v.Set("inv", out.Invalidation.ID)
	}
	v.Set("done", fmt.Sprintf("Deleted %s (%s)", id, out.Deleted[id]))
	http.Redirect(p.w, p.r, "/console/purges?"+v.Encode(), http.StatusSeeOther)
}

// purges shows the live edges and, with inv, an invalidation's status.
func (p *page) purges() {
	q := p.r.URL.Query()
	data := map[string]any{"NATS": p.h.opts.Edges != nil, "Invalidation": q.Get("inv"), "Done": q.Get("done")}
	if p.h.opts.Edges != nil {
		data["Edges"] = p.h.opts.Edges()
		named, err := p.namedTransformations()
		if err != nil {
			p.fail(err)
			return
		}
		data["Named"] = named
	}
	if id := q.Get("inv"); id != "" && p.h.opts.Edges != nil {
		var st invalidation
		if err := p.api(http.MethodGet, "invalidations/"+id, nil, &st); err == nil {
			data["Status"] = st
		}
	}
	p.render("purges", data)
}

// purge asks for an invalidation by public ID, prefix, named
// transformation (every URL using it) or the whole cloud (the /invalidations API), then shows its progress.
func (p *page) purge() {
	rt, typ := p.kind()
	params := url.Values{"resource_type": {rt}, "type": {typ}}
	value := p.r.PostFormValue("value")
	switch p.r.PostFormValue("scope") {
	case "public_id":
		params.Set("public_id", value)
	case "prefix":
		params.Set("prefix", value)
	case "transformation":
		params.Set("transformation", value)
	case "all":
		params.Set("all", "true")
	default:
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Choose what to purge: public_id, prefix, transformation or all")
		return
	}
	var st invalidation
	if err := p.api(http.MethodPost, "invalidations", params, &st); err != nil {
		p.fail(err)
		return
	}
	http.Redirect(p.w, p.r, "/console/purges?inv="+url.QueryEscape(st.ID), http.StatusSeeOther)
}

// invalidationJSON is an invalidation's status, for the page's script.
func (p *page) invalidationJSON() {
	var st invalidation
	if err := p.api(http.MethodGet, "invalidations/"+p.r.URL.Query().Get("id"), nil, &st); err != nil {
		p.fail(err)
		return
	}
	api.WriteJSON(p.w, http.StatusOK, st)
}

// edgesJSON lists the live edges, for the page's script.
func (p *page) edgesJSON() {
	edges := []Edge{}
	if p.h.opts.Edges != nil {
		edges = p.h.opts.Edges()
	}
	api.WriteJSON(p.w, http.StatusOK, map[string]any{"edges": edges})
}

// maxPresets bounds the upload presets the upload page offers (one Admin
// API page).
const maxPresets = 500

// uploadPage shows the upload form (static/console.js sends each file),
// with the cloud's upload presets (Admin upload_presets) to choose from.
func (p *page) uploadPage() {
	var out struct {
		Presets []struct {
			Name string `json:"name"`
		} `json:"presets"`
	}
	if err := p.api(http.MethodGet, "upload_presets", url.Values{"max_results": {strconv.Itoa(maxPresets)}}, &out); err != nil {
		p.fail(err)
		return
	}
	names := make([]string, 0, len(out.Presets))
	for _, pr := range out.Presets {
		names = append(names, pr.Name)
	}
	p.render("upload", map[string]any{"Presets": names})
}

// upload sends one file of the upload page (or the asset page's
// overwrite) to the Upload API (resource type rt, auto by default),
// multipart as the page's script builds it.
func (p *page) upload() {
	if !strings.HasPrefix(p.r.Header.Get("Content-Type"), "multipart/form-data") {
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "An upload is multipart/form-data")
		return
	}
	rt := p.r.URL.Query().Get("rt")
	switch rt {
	case "":
		rt = "auto"
	case "auto", "image", "video", "raw":
	default:
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Invalid resource_type - "+api.Clip(rt))
		return
	}
	p.h.forwardUpload(p.w, p.r, p.s.cloud, rt)
}

// thumbURL is a small c_fill of an image through the delivery URL; ""
// for what is not an image.
func (h *Handler) thumbURL(cloud string, a resource) string {
	return h.assetURL(cloud, a, "c_fill,w_160,h_160", h.mustSign(cloud, a))
}

// previewURL is the asset page's preview, at most 640 pixels wide.
func (h *Handler) previewURL(cloud string, a resource) string {
	return h.assetURL(cloud, a, "c_limit,w_640,h_640", h.mustSign(cloud, a))
}

// mustSign says whether the thumbnails and previews of an asset are
// signed: of a private or authenticated type or access mode, or in a
// cloud with strict transformations.
func (h *Handler) mustSign(cloud string, a resource) bool {
	return a.Type != "upload" || a.AccessMode == "authenticated" || h.opts.Clouds[cloud].StrictTransformations
}

// assetURL is the delivery URL of an image with the transformation tx
// (none: ""), signed with the cloud's secret (the signature reaches the
// page, never the secret); "" for what is not an image.
func (h *Handler) assetURL(cloud string, a resource, tx string, signed bool) string {
	if a.ResourceType != "image" || a.Format == "" || a.Type == "fetch" {
		return ""
	}
	segs := strings.Split(a.PublicID, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	path := ""
	if signed {
		path += delivery.Sign(tx, a.PublicID+"."+a.Format, h.opts.Clouds[cloud].APISecret, delivery.SHA1, false) + "/"
	}
	if tx != "" {
		path += tx + "/"
	}
	return strings.TrimSuffix(h.opts.DeliveryURL, "/") + "/" + url.PathEscape(cloud) + "/image/" + a.Type + "/" + path +
		"v" + strconv.FormatInt(a.Version, 10) + "/" + strings.Join(segs, "/") + "." + a.Format
}

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// humanBytes writes a byte count for people.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
