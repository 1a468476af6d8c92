package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// The asset page's changes beyond tags and context: rename, restoring a
// backup, structured metadata values, and its delivery URL builder. The
// overwrite by upload goes through /console/upload.json (pages.go).

// version is one version of an asset (Admin details with versions).
type version struct {
	VersionID  string `json:"version_id"`
	Version    int64  `json:"version"`
	Format     string `json:"format"`
	Size       int64  `json:"size"`
	Time       string `json:"time"`
	Restorable bool   `json:"restorable"`
}

// mdField is a structured metadata field (Admin metadata_fields), with
// the asset's value of it for the form. Its UI flags: a readonly_ui
// field is shown, not edited, here; an enum or set field with
// allow_dynamic_list_values offers to add a value to its datasource.
type mdField struct {
	Type         string `json:"type"`
	ExternalID   string `json:"external_id"`
	Label        string `json:"label"`
	Mandatory    bool   `json:"mandatory"`
	Restrictions struct {
		ReadonlyUI bool `json:"readonly_ui"`
	} `json:"restrictions"`
	AllowDynamicListValues bool          `json:"allow_dynamic_list_values"`
	Datasource             *mdDatasource `json:"datasource"`
	// Value is the asset's value as text (string, integer, date, enum);
	// Chosen its entries (enum, set).
	Value  string          `json:"-"`
	Chosen map[string]bool `json:"-"`
}

// mdDatasource is an enum's or a set's entries.
type mdDatasource struct {
	Values []mdEntry `json:"values"`
}

type mdEntry struct {
	ExternalID string `json:"external_id"`
	Value      string `json:"value"`
	State      string `json:"state"`
}

// Dynamic reports whether the form offers to add a value.
func (f *mdField) Dynamic() bool {
	return f.AllowDynamicListValues && (f.Type == "enum" || f.Type == "set")
}

// Shown is the asset's value as a read-only field shows it: the text, or
// the chosen entries' values.
func (f *mdField) Shown() string {
	if f.Datasource == nil {
		return f.Value
	}
	var out []string
	for _, e := range f.Datasource.Values {
		if f.Chosen[e.ExternalID] {
			out = append(out, e.Value)
		}
	}
	return strings.Join(out, ", ")
}

// metadataFields is the cloud's metadata fields.
func (p *page) metadataFields() ([]mdField, error) {
	var out struct {
		Fields []mdField `json:"metadata_fields"`
	}
	if err := p.api(http.MethodGet, "metadata_fields", nil, &out); err != nil {
		return nil, err
	}
	return out.Fields, nil
}

// metadataForm is the cloud's metadata fields with the asset's values.
func (p *page) metadataForm(values map[string]any) ([]mdField, error) {
	var out struct{ Fields []mdField }
	var err error
	if out.Fields, err = p.metadataFields(); err != nil {
		return nil, err
	}
	for i := range out.Fields {
		f := &out.Fields[i]
		f.Chosen = map[string]bool{}
		switch v := values[f.ExternalID].(type) {
		case string:
			f.Value, f.Chosen[v] = v, true
		case float64:
			f.Value = strconv.FormatFloat(v, 'f', -1, 64)
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					f.Chosen[s] = true
				}
			}
		}
	}
	return out.Fields, nil
}

// metadataValues is the metadata parameter of the form's md.<field>
// values: a JSON object, each field's value as text (a list for set), ""
// clearing it; the Admin update checks them against the fields. A field
// the asset had no value of (md_had.<field>) and still has none is left
// out, so that saving others does not clear it again (a mandatory one
// would be refused).
func metadataValues(form url.Values, fields []string) string {
	obj := map[string]any{}
	for _, id := range fields {
		var v any
		empty := true
		if form.Get("md_type."+id) == "set" {
			list := []string{}
			for _, s := range form["md."+id] {
				if s != "" {
					list = append(list, s)
				}
			}
			v, empty = list, len(list) == 0
		} else {
			s := form.Get("md." + id)
			v, empty = s, s == ""
		}
		if empty && form.Get("md_had."+id) != "true" {
			continue
		}
		obj[id] = v
	}
	b, _ := json.Marshal(obj)
	return string(b)
}

// updateMetadata saves the asset's structured metadata values (Admin
// update's metadata). A readonly_ui field is left as it is whatever the
// form says. A value typed in md_new.<field> of a field with
// allow_dynamic_list_values is first added to its datasource (the Admin
// API's datasource update), then set on the asset (chosen besides the
// others of a set; an enum's one value).
func (p *page) updateMetadata() {
	path, _, _, _ := p.assetPath()
	all, err := p.metadataFields()
	if err != nil {
		p.fail(err)
		return
	}
	byID := map[string]*mdField{}
	for i := range all {
		byID[all[i].ExternalID] = &all[i]
	}
	var fields []string
	for _, id := range p.r.PostForm["md_field"] {
		if f := byID[id]; f != nil && f.Restrictions.ReadonlyUI {
			continue
		}
		fields = append(fields, id)
	}
	if len(fields) == 0 {
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Missing required parameter - metadata")
		return
	}
	for _, id := range fields {
		text := strings.TrimSpace(p.r.PostForm.Get("md_new." + id))
		if text == "" {
			continue
		}
		f := byID[id]
		if f == nil || !f.Dynamic() {
			p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, "Metadata field "+id+" takes no new values here (allow_dynamic_list_values is off)")
			return
		}
		entry, err := p.addEntry(f, text)
		if err != nil {
			p.fail(err)
			return
		}
		p.r.PostForm.Set("md_type."+id, f.Type)
		if f.Type == "set" {
			p.r.PostForm.Add("md."+id, entry)
		} else {
			p.r.PostForm.Set("md."+id, entry)
		}
	}
	if err := p.api(http.MethodPost, path, url.Values{"metadata": {metadataValues(p.r.PostForm, fields)}}, nil); err != nil {
		p.fail(err)
		return
	}
	p.back("Metadata saved", nil)
}

// addEntry adds value to the datasource of f through the Admin API (its
// rules and bounds) and returns the entry's external ID: a new entry, or
// the one that already has that value (made active again if it was not).
func (p *page) addEntry(f *mdField, value string) (string, error) {
	entry := map[string]string{"value": value}
	if f.Datasource != nil {
		for _, e := range f.Datasource.Values {
			if e.Value == value {
				if e.State == "active" {
					return e.ExternalID, nil
				}
				entry["external_id"], entry["state"] = e.ExternalID, "active"
			}
		}
	}
	b, _ := json.Marshal(entry)
	var ds mdDatasource
	if err := p.api(http.MethodPut, "metadata_fields/"+url.PathEscape(f.ExternalID)+"/datasource",
		url.Values{"values": {string(b)}}, &ds); err != nil {
		return "", err
	}
	for _, e := range ds.Values {
		if e.Value == value {
			return e.ExternalID, nil
		}
	}
	return "", &apiError{Status: http.StatusBadGateway, Message: "Unreadable answer from the API"}
}

// rename renames the asset (the Upload API's rename, invalidating the old
// URLs), then shows it under its new public ID.
func (p *page) rename() {
	rt, typ := p.kind()
	to := strings.TrimSpace(p.r.PostFormValue("to_public_id"))
	params := url.Values{"from_public_id": {p.r.PostFormValue("id")}, "to_public_id": {to}, "type": {typ},
		"invalidate": {"true"}}
	if p.r.PostFormValue("overwrite") == "true" {
		params.Set("overwrite", "true")
	}
	var out resource
	if err := p.api(http.MethodPost, rt+"/rename", params, &out); err != nil {
		p.fail(err)
		return
	}
	v := url.Values{"rt": {rt}, "type": {typ}, "id": {out.PublicID}, "done": {"Renamed from " + p.r.PostFormValue("id")}}
	http.Redirect(p.w, p.r, "/console/asset?"+v.Encode(), http.StatusSeeOther)
}

// restore makes a backed-up version current again (Admin restore with
// the version's ID, invalidating the asset's URLs).
func (p *page) restore() {
	rt, typ := p.kind()
	id := p.r.PostFormValue("id")
	params := url.Values{"public_ids[]": {id}, "versions[]": {p.r.PostFormValue("version_id")}, "invalidate": {"true"}}
	var out map[string]struct {
		Version int64  `json:"version"`
		Error   string `json:"error"`
	}
	if err := p.api(http.MethodPost, "resources/"+rt+"/"+typ+"/restore", params, &out); err != nil {
		p.fail(err)
		return
	}
	if r := out[id]; r.Error != "" {
		p.h.fail(p.w, p.r, p.s, http.StatusBadRequest, r.Error)
		return
	}
	p.back("Restored as version "+strconv.FormatInt(out[id].Version, 10), nil)
}

// builder is the delivery URL builder's answer: the URL of the asset
// with the chosen transformation, signed when it needs to be.
type builder struct {
	Transformation, Named, URL, Error string
	Signed                            bool
	Why                               string
}

// namedTransformations lists the cloud's named transformations (names
// as t_<name>), at most the first 100.
func (p *page) namedTransformations() ([]string, error) {
	var out struct {
		Transformations []struct {
			Name string `json:"name"`
		} `json:"transformations"`
	}
	if err := p.api(http.MethodGet, "transformations", url.Values{"named": {"true"}, "max_results": {"100"}}, &out); err != nil {
		return nil, err
	}
	var names []string
	for _, t := range out.Transformations {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names, nil
}

// build makes the builder's URL for the asset and the transformation
// tx (typed) or named (t_<name>, chosen).
func (p *page) build(a resource, tx, named string) builder {
	b := builder{Transformation: tx, Named: named}
	tx = strings.Trim(strings.TrimSpace(tx), "/")
	if named != "" {
		if !strings.HasPrefix(named, "t_") {
			named = "t_" + named
		}
		if tx != "" {
			tx = named + "/" + tx
		} else {
			tx = named
		}
	}
	if tx != "" {
		if _, err := delivery.ParseTransformation(tx); err != nil {
			b.Error = "Invalid transformation - " + err.Error()
			return b
		}
	}
	b.Signed, b.Why = p.needsSignature(a, tx)
	b.URL = p.h.assetURL(p.s.cloud, a, tx, b.Signed)
	return b
}

// needsSignature says whether a URL of the asset with tx must be signed,
// and why: its type (private, authenticated), its access mode, or the
// cloud's strict transformations with tx not allowed for strict (the
// Admin API's allowed_for_strict of it).
func (p *page) needsSignature(a resource, tx string) (bool, string) {
	switch {
	case a.Type == "private" || a.Type == "authenticated":
		return true, "the asset's type is " + a.Type
	case a.AccessMode == "authenticated":
		return true, "the asset's access mode is authenticated"
	case tx == "" || !p.h.opts.Clouds[p.s.cloud].StrictTransformations:
		return false, ""
	}
	var t struct {
		AllowedForStrict bool `json:"allowed_for_strict"`
	}
	err := p.api(http.MethodGet, "transformations", url.Values{"transformation": {tx}, "max_results": {"1"}}, &t)
	if err == nil && t.AllowedForStrict {
		return false, ""
	}
	return true, "the cloud has strict transformations and this one is not allowed for strict"
}
