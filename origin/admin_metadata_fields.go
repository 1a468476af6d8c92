package origin

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The Admin API's metadata_fields (docs/metadata.md): a cloud's structured
// metadata fields and their datasources. The SDKs send JSON bodies; the
// parameters' reader hands an object member (validation, datasource) over
// as k=v|k2=v2 with nested lists as JSON, which metadata_schema.go reads.

// metadataFieldRoutes routes /metadata_fields:
//
//	metadata_fields                                  GET list, POST create
//	metadata_fields/order                            PUT order the fields
//	metadata_fields/datasource/search                POST search every datasource (metadata_search.go)
//	metadata_fields/<id>                             GET, PUT update, DELETE
//	metadata_fields/<id>/datasource                  PUT update entries, DELETE entries (inactive)
//	metadata_fields/<id>/datasource_restore          POST entries active again
//	metadata_fields/<id>/datasource/order            POST order the entries
func (c *call) metadataFieldRoutes(tail string) adminRoutes {
	id, rest, _ := strings.Cut(tail, "/")
	switch {
	case tail == "":
		return adminRoutes{
			http.MethodGet:  {api.MethodParams{}, func(*api.Params) { c.listMetadataFields() }},
			http.MethodPost: {metadataFieldSpec(), c.createMetadataField},
		}
	case tail == "order":
		return adminRoutes{http.MethodPut: {orderSpec(), c.orderMetadataFields}}
	case tail == "datasource/search": // before <id>/...: no field's routes have that form
		return adminRoutes{http.MethodPost: {datasourceSearchSpec(), c.searchDatasources}}
	case rest == "":
		return adminRoutes{
			http.MethodGet:    {api.MethodParams{}, func(*api.Params) { c.getMetadataField(id) }},
			http.MethodPut:    {metadataFieldSpec(), func(p *api.Params) { c.updateMetadataField(id, p) }},
			http.MethodDelete: {api.MethodParams{}, func(*api.Params) { c.deleteMetadataField(id) }},
		}
	case rest == "datasource":
		return adminRoutes{
			http.MethodPut:    {datasourceSpec(), func(p *api.Params) { c.updateDatasource(id, p) }},
			http.MethodDelete: {entryIDsSpec(), func(p *api.Params) { c.setEntriesState(id, p, "inactive") }},
		}
	case rest == "datasource_restore":
		return adminRoutes{http.MethodPost: {entryIDsSpec(), func(p *api.Params) { c.setEntriesState(id, p, "active") }}}
	case rest == "datasource/order":
		return adminRoutes{http.MethodPost: {orderSpec(), func(p *api.Params) { c.orderDatasource(id, p) }}}
	}
	return nil
}

// listMetadataFields serves GET /metadata_fields: every field, in order.
func (c *call) listMetadataFields() {
	s, err := c.metadataSchema()
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(fieldsJSON(s.fields))
}

type metadataFieldsJSON struct {
	MetadataFields []mdFieldJSON `json:"metadata_fields"`
}

func fieldsJSON(fields []*mdField) metadataFieldsJSON {
	out := metadataFieldsJSON{MetadataFields: []mdFieldJSON{}}
	for _, f := range fields {
		out.MetadataFields = append(out.MetadataFields, f.json())
	}
	return out
}

// getMetadataField serves GET /metadata_fields/<id>.
func (c *call) getMetadataField(id string) {
	f, err := c.metadataField(id)
	if err != nil {
		c.fail(err)
		return
	}
	c.ok(f.json())
}

// metadataField reads one field.
func (c *call) metadataField(id string) (*mdField, error) {
	row, err := c.s.meta.MetadataField(c.ctx(), c.cloud, id)
	if err != nil {
		return nil, metadataFieldErr(err, id)
	}
	f, err := fieldOf(row, c.s.regexps)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	return f, nil
}

// metadataFieldErr answers a store error about a field.
func metadataFieldErr(err error, id string) error {
	var de *delivery.Error
	switch {
	case errors.As(err, &de):
		return de
	case isNotFound(err):
		return delivery.Errorf(http.StatusNotFound, "Metadata field %s does not exist", api.Clip(id))
	case errors.Is(err, meta.ErrExists):
		return api.BadRequest("external id %s already exists", api.Clip(id))
	case errors.Is(err, meta.ErrFull):
		return api.BadRequest("Too many metadata fields - at most %d", maxMetadataFields)
	}
	return delivery.Internal(err)
}

// createMetadataField serves POST /metadata_fields: type, external_id
// (made up when missing), label, mandatory, default_value (required when
// mandatory), validation, datasource (enum and set), the flags
// default_disabled, allow_dynamic_list_values and restrictions.
func (c *call) createMetadataField(p *api.Params) {
	typ := p.Get("type")
	switch typ {
	case meta.MetadataTypeString, meta.MetadataTypeInteger, meta.MetadataTypeDate, meta.MetadataTypeEnum, meta.MetadataTypeSet:
	case "":
		c.fail(api.BadRequest("Missing required parameter - type"))
		return
	default:
		c.fail(api.BadRequest("Invalid type - %s (must be string, integer, date, enum or set)", api.Clip(typ)))
		return
	}
	f := &mdField{ExternalID: p.Get("external_id"), Type: typ, Label: p.Get("label")}
	if f.ExternalID == "" {
		f.ExternalID = meta.RandomHex(16)
	}
	if err := checkMetadataID("external_id", f.ExternalID); err != nil {
		c.fail(err)
		return
	}
	if err := f.edit(p, true); err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	row := &meta.MetadataField{Cloud: c.cloud, ExternalID: f.ExternalID, Type: f.Type, Label: f.Label,
		Definition: f.definition(), CreatedAt: now, UpdatedAt: now}
	if err := c.s.meta.CreateMetadataField(c.ctx(), row, maxMetadataFields); err != nil {
		c.fail(metadataFieldErr(err, f.ExternalID))
		return
	}
	c.ok(f.json())
}

// edit sets on f what p gives (all of it when creating): label,
// mandatory, the flags default_disabled, allow_dynamic_list_values and
// restrictions, default_value, validation, datasource (merged into the
// field's), then checks the whole.
func (f *mdField) edit(p *api.Params, create bool) error {
	if p.Has("label") || create {
		f.Label = p.Get("label")
		if err := checkLabel("label", f.Label); err != nil {
			return err
		}
	}
	if p.Has("mandatory") {
		m, err := p.Bool("mandatory", false)
		if err != nil {
			return err
		}
		f.Mandatory = m
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"default_disabled", &f.DefaultDisabled}, {"allow_dynamic_list_values", &f.AllowDynamicListValues}} {
		if p.Has(b.name) {
			v, err := p.Bool(b.name, false)
			if err != nil {
				return err
			}
			*b.dst = v
		}
	}
	if p.Has("restrictions") {
		r, err := parseRestrictions(p.Get("restrictions"))
		if err != nil {
			return err
		}
		f.Restrictions = r
	}
	if p.Has("validation") {
		v, err := parseValidation(f.Type, p.Get("validation"))
		if err != nil {
			return err
		}
		if v != nil && isListType(f.Type) {
			return api.BadRequest("Invalid validation - %s fields take no validation", f.Type)
		}
		f.Validation = v
	}
	if p.Has("datasource") {
		ds, err := parseDatasource(p.Get("datasource"))
		if err != nil {
			return err
		}
		switch {
		case ds == nil:
		case !isListType(f.Type):
			return api.BadRequest("Invalid datasource - only enum and set fields have one")
		default:
			if f.Datasource == nil {
				f.Datasource = &mdDatasource{Values: []mdEntry{}}
			}
			if err := f.Datasource.merge(ds.Values); err != nil {
				return err
			}
		}
	}
	if isListType(f.Type) && (f.Datasource == nil || len(f.Datasource.Values) == 0) {
		return api.BadRequest("Missing required parameter - datasource (%s field needs values)", withArticle(f.Type))
	}
	if p.Has("default_value") {
		f.DefaultValue = nil
		if texts := metadataDefaultTexts(f.Type, p.Values("default_value")); len(texts) > 0 {
			f.DefaultValue = texts
		}
	}
	if texts := f.defaultTexts(); len(texts) > 0 { // checked against the field as it now is
		v, err := f.value(texts)
		if err != nil { // Cloudinary's wording: the Node SDK's suite looks for "default_value is invalid"
			return api.BadRequest("default_value is invalid - %s", strings.TrimPrefix(err.Error(), "Invalid metadata value for field "+f.ExternalID+" - "))
		}
		f.DefaultValue = v
	}
	if f.Mandatory && f.DefaultValue == nil {
		return api.BadRequest("A mandatory field must have a default_value")
	}
	return nil
}

// metadataDefaultTexts are default_value's texts: a list's elements (the
// JSON body's, or a JSON list in a form), else the one value; "" or null
// for none.
func metadataDefaultTexts(typ string, values []string) []string {
	var out []string
	for _, v := range values {
		if v == "" {
			continue
		}
		out = append(out, listTexts(v)...)
	}
	return out
}

// updateMetadataField serves PUT /metadata_fields/<id>: what is given of
// label, mandatory, the flags, default_value, validation and datasource
// (entries merged by external ID); the type cannot change.
func (c *call) updateMetadataField(id string, p *api.Params) {
	if eid := p.Get("external_id"); eid != "" && eid != id {
		c.fail(api.BadRequest("Invalid external_id - %s (a field's external_id cannot change)", api.Clip(eid)))
		return
	}
	var out *mdField
	_, err := c.s.meta.UpdateMetadataField(c.ctx(), c.cloud, id, func(row *meta.MetadataField) error {
		f, err := fieldOf(row, c.s.regexps)
		if err != nil {
			return err
		}
		if t := p.Get("type"); t != "" && t != f.Type {
			return api.BadRequest("Invalid type - %s (a field's type cannot change from %s)", api.Clip(t), f.Type)
		}
		if err := f.edit(p, false); err != nil {
			return err
		}
		row.Label, row.Definition, row.UpdatedAt = f.Label, f.definition(), c.s.now().UTC()
		out = f
		return nil
	})
	if err != nil {
		c.fail(metadataFieldErr(err, id))
		return
	}
	c.ok(out.json())
}

// deleteMetadataField serves DELETE /metadata_fields/<id>: the field goes,
// and its values with it from every asset.
func (c *call) deleteMetadataField(id string) {
	if err := c.s.meta.DeleteMetadataField(c.ctx(), c.cloud, id); err != nil {
		c.fail(metadataFieldErr(err, id))
		return
	}
	c.ok(map[string]string{"message": "ok"})
}

// editDatasource applies fn to the datasource of an enum or set field and
// answers the datasource: every entry, or with activeOnly only the active
// ones (as Cloudinary answers a deletion of entries).
func (c *call) editDatasource(id string, activeOnly bool, fn func(f *mdField) error) {
	var out *mdDatasource
	_, err := c.s.meta.UpdateMetadataField(c.ctx(), c.cloud, id, func(row *meta.MetadataField) error {
		f, err := fieldOf(row, c.s.regexps)
		if err != nil {
			return err
		}
		if !isListType(f.Type) || f.Datasource == nil {
			return api.BadRequest("Metadata field %s has no datasource (only enum and set fields have one)", api.Clip(id))
		}
		if err := fn(f); err != nil {
			return err
		}
		if def := f.defaultTexts(); len(def) > 0 {
			if _, err := f.value(def); err != nil {
				return api.BadRequest("The default_value of metadata field %s must stay an active entry", api.Clip(id))
			}
		}
		row.Definition, row.UpdatedAt = f.definition(), c.s.now().UTC()
		out = f.Datasource
		if activeOnly {
			out = &mdDatasource{Values: []mdEntry{}}
			for _, e := range f.Datasource.Values {
				if e.State != "inactive" {
					out.Values = append(out.Values, e)
				}
			}
		}
		return nil
	})
	if err != nil {
		c.fail(metadataFieldErr(err, id))
		return
	}
	c.ok(out)
}

// updateDatasource serves PUT /metadata_fields/<id>/datasource: values,
// merged by external ID (new ones appended).
func (c *call) updateDatasource(id string, p *api.Params) {
	var entries []string
	for _, v := range p.Values("values") {
		if v != "" {
			entries = append(entries, v)
		}
	}
	ds, err := parseEntries("[" + strings.Join(entries, ",") + "]")
	if err != nil {
		c.fail(err)
		return
	}
	if ds == nil || len(ds.Values) == 0 {
		c.fail(api.BadRequest("Missing required parameter - values"))
		return
	}
	c.editDatasource(id, false, func(f *mdField) error { return f.Datasource.merge(ds.Values) })
}

// setEntriesState serves DELETE /metadata_fields/<id>/datasource (state
// inactive; the answer lists the entries still active, as the Node SDK's
// own suite expects of Cloudinary) and POST .../datasource_restore
// (active): external_ids.
func (c *call) setEntriesState(id string, p *api.Params, state string) {
	ids := p.List("external_ids")
	if len(ids) == 0 {
		c.fail(api.BadRequest("Missing required parameter - external_ids"))
		return
	}
	c.editDatasource(id, state == "inactive", func(f *mdField) error {
		for _, eid := range ids {
			e := f.Datasource.entry(eid)
			if e == nil {
				return api.BadRequest("Datasource entry %s does not exist in metadata field %s", api.Clip(eid), api.Clip(id))
			}
			e.State = state
		}
		return nil
	})
}

// orderParams reads order_by (one of allowed) and direction (asc, the
// default, or desc).
func orderParams(p *api.Params, allowed ...string) (by string, desc bool, err error) {
	by = p.Get("order_by")
	if by == "" {
		return "", false, api.BadRequest("Missing required parameter - order_by")
	}
	if !slices.Contains(allowed, by) {
		return "", false, api.BadRequest("Invalid order_by - %s (must be %s)", api.Clip(by), strings.Join(allowed, " or "))
	}
	switch d := strings.ToLower(p.Get("direction")); d {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return "", false, api.BadRequest("Invalid direction - %s (must be asc or desc)", api.Clip(d))
	}
	return by, desc, nil
}

// orderDatasource serves POST /metadata_fields/<id>/datasource/order:
// order_by value, direction.
func (c *call) orderDatasource(id string, p *api.Params) {
	_, desc, err := orderParams(p, "value")
	if err != nil {
		c.fail(err)
		return
	}
	c.editDatasource(id, false, func(f *mdField) error {
		slices.SortStableFunc(f.Datasource.Values, func(a, b mdEntry) int {
			if desc {
				return cmp.Compare(b.Value, a.Value)
			}
			return cmp.Compare(a.Value, b.Value)
		})
		return nil
	})
}

// orderMetadataFields serves PUT /metadata_fields/order: order_by label,
// external_id or created_at, direction. It answers the fields in their
// new order.
func (c *call) orderMetadataFields(p *api.Params) {
	by, desc, err := orderParams(p, "label", "external_id", "created_at")
	if err != nil {
		c.fail(err)
		return
	}
	rows, err := c.s.meta.MetadataFields(c.ctx(), c.cloud)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	slices.SortStableFunc(rows, func(a, b meta.MetadataField) int {
		var r int
		switch by {
		case "label":
			r = cmp.Compare(a.Label, b.Label)
		case "external_id":
			r = cmp.Compare(a.ExternalID, b.ExternalID)
		default:
			r = cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Position, b.Position))
		}
		if desc {
			return -r
		}
		return r
	})
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ExternalID
	}
	if err := c.s.meta.OrderMetadataFields(c.ctx(), c.cloud, ids, c.s.now().UTC()); err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	fields := make([]*mdField, 0, len(rows))
	for i := range rows {
		f, err := fieldOf(&rows[i], c.s.regexps)
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		fields = append(fields, f)
	}
	c.ok(fieldsJSON(fields))
}
