package origin

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Structured metadata values on assets: the metadata parameter of upload,
// explicit, the Admin API's update and the Upload API's metadata method,
// checked against the cloud's fields (metadata_schema.go), and the values
// an answer shows (those of fields that still exist).

// mdSchema is a cloud's fields, read once per call.
type mdSchema struct {
	fields []*mdField
	byID   map[string]*mdField
}

// metadataSchema reads the cloud's fields (once per call).
func (c *call) metadataSchema() (*mdSchema, error) {
	if c.mdSchema != nil {
		return c.mdSchema, nil
	}
	rows, err := c.s.meta.MetadataFields(c.ctx(), c.cloud)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	s := &mdSchema{byID: map[string]*mdField{}}
	for i := range rows {
		f, err := fieldOf(&rows[i], c.s.regexps)
		if err != nil {
			return nil, delivery.Internal(err)
		}
		s.fields = append(s.fields, f)
		s.byID[f.ExternalID] = f
	}
	c.mdSchema = s
	return s, nil
}

// mdGiven are the values a metadata parameter gives, by field external
// ID: one text, or a list's texts; none clears the field.
type mdGiven map[string][]string

// parseMetadataParam reads the metadata parameter: k=v|k2=["a","b"] with
// \| and \= escaping the separators (as the SDKs send it), or a JSON
// object of strings, numbers and lists.
func parseMetadataParam(values []string) (mdGiven, error) {
	out := mdGiven{}
	for _, raw := range values {
		if t := strings.TrimSpace(raw); strings.HasPrefix(t, "{") {
			var obj map[string]any
			dec := json.NewDecoder(strings.NewReader(t))
			dec.UseNumber()
			if err := dec.Decode(&obj); err != nil {
				return nil, api.BadRequest("Invalid metadata - %s", api.Clip(raw))
			}
			for k, v := range obj {
				out[k] = metadataTexts(v)
			}
			continue
		}
		pairs, err := api.ParseContext(raw)
		if err != nil {
			return nil, api.BadRequest("Invalid metadata - %s", api.Clip(raw))
		}
		for k, v := range pairs {
			out[k] = listTexts(v)
		}
	}
	if len(out) > maxMetadataFields {
		return nil, api.BadRequest("Invalid metadata - more than %d fields", maxMetadataFields)
	}
	return out, nil
}

// listTexts are a text's values: a JSON list's elements, else the text
// ("" for none).
func listTexts(v string) []string {
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") {
		var list []any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if err := dec.Decode(&list); err == nil {
			return metadataTexts(list)
		}
	}
	return metadataTexts(v)
}

// metadataTexts are a given value's texts: a list's elements, nothing for
// "" or null (which clear), else the value's text.
func metadataTexts(v any) []string {
	switch v := v.(type) {
	case nil:
		return []string{}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, scalarText(e))
		}
		return out
	}
	if s := scalarText(v); s != "" {
		return []string{s}
	}
	return []string{}
}

// mdEdit is a checked metadata parameter: the values to set, the fields
// to clear.
type mdEdit struct {
	set   map[string]any
	clear []string
}

// checkMetadata checks given values against the schema.
func (s *mdSchema) check(given mdGiven) (*mdEdit, error) {
	e := &mdEdit{set: map[string]any{}}
	ids := make([]string, 0, len(given))
	for k := range given {
		ids = append(ids, k)
	}
	slices.Sort(ids) // the first error is always the same one
	for _, k := range ids {
		f, ok := s.byID[k]
		if !ok {
			return nil, api.BadRequest("Metadata field %s does not exist", api.Clip(k))
		}
		texts := given[k]
		if len(texts) == 0 {
			if f.Mandatory {
				return nil, api.BadRequest("Metadata field %s is mandatory and cannot be cleared", k)
			}
			e.clear = append(e.clear, k)
			continue
		}
		v, err := f.value(texts)
		if err != nil {
			return nil, err
		}
		e.set[k] = v
	}
	return e, nil
}

// apply merges the edit into an asset's values.
func (e *mdEdit) apply(a *meta.Asset) {
	if a.Metadata == nil {
		a.Metadata = map[string]any{}
	}
	for k, v := range e.set {
		a.Metadata[k] = v
	}
	for _, k := range e.clear {
		delete(a.Metadata, k)
	}
}

// revalidate checks an asset's values against its fields as they are
// now (a field's validation may have changed since a value was set): the
// first value that no longer passes fails with the field's message, or,
// with clear (clear_invalid), every such value is removed. An enum's or a
// set's entry made inactive stays valid (as answers show it).
func (s *mdSchema) revalidate(a *meta.Asset, clear bool) error {
	ids := make([]string, 0, len(a.Metadata))
	for k := range a.Metadata {
		ids = append(ids, k)
	}
	slices.Sort(ids) // the first error is always the same one
	for _, k := range ids {
		f, ok := s.byID[k]
		if !ok {
			continue // a deleted field's: not shown, not checked
		}
		err := f.stillValid(storedTexts(a.Metadata[k]))
		switch {
		case err == nil:
		case clear:
			delete(a.Metadata, k)
		default:
			return err
		}
	}
	return nil
}

// stillValid checks a stored value's texts: as a value given now, but
// an enum's or set's entries need only exist (active or not).
func (f *mdField) stillValid(texts []string) error {
	if !isListType(f.Type) {
		_, err := f.value(texts)
		return err
	}
	for _, id := range texts {
		if f.Datasource.entry(id) == nil {
			return api.BadRequest("Invalid metadata value for field %s - %s is not a value of its datasource", f.ExternalID, api.Clip(id))
		}
	}
	return nil
}

// storedTexts are a stored value's texts (Asset.Metadata's forms).
func storedTexts(v any) []string {
	if list, ok := v.([]string); ok {
		return list
	}
	return metadataTexts(v)
}

// forUpload is the values of a new version: those given, and every other
// field's default value but a default_disabled field's (it stays off the
// new version until a value is given for it). A default is not checked
// again here: it is checked, and kept in its stored form, whenever it,
// the validation or the datasource changes (mdField.edit, editDatasource).
func (s *mdSchema) forUpload(e *mdEdit) map[string]any {
	out := map[string]any{}
	for _, f := range s.fields {
		if f.DefaultValue == nil || f.DefaultDisabled || slices.Contains(e.clear, f.ExternalID) {
			continue
		}
		v := f.DefaultValue
		if list, ok := v.([]string); ok {
			v = slices.Clone(list)
		}
		out[f.ExternalID] = v
	}
	for k, v := range e.set {
		out[k] = v
	}
	return out
}

// metadataEdit reads and checks the metadata parameter; nil when it is
// not given.
func (c *call) metadataEdit(p *api.Params) (*mdEdit, error) {
	if !p.Has("metadata") {
		return nil, nil
	}
	given, err := parseMetadataParam(p.Values("metadata"))
	if err != nil {
		return nil, err
	}
	s, err := c.metadataSchema()
	if err != nil {
		return nil, err
	}
	return s.check(given)
}

// metadataCheck reads clear_invalid and returns what checks an asset's
// values after a change: nothing when the call neither gives metadata (e
// nil) nor clear_invalid, else revalidate.
func (c *call) metadataCheck(p *api.Params, e *mdEdit) (func(*meta.Asset) error, error) {
	clear, err := p.Bool("clear_invalid", false)
	if err != nil {
		return nil, err
	}
	if e == nil && !p.Has("clear_invalid") {
		return func(*meta.Asset) error { return nil }, nil
	}
	s, err := c.metadataSchema()
	if err != nil {
		return nil, err
	}
	return func(a *meta.Asset) error { return s.revalidate(a, clear) }, nil
}

// visibleMetadata is what an answer shows of an asset's values: those of
// fields that exist (a deleted field's values disappear with it), as the
// store keeps them. An entry made inactive since stays.
func (c *call) visibleMetadata(a *meta.Asset) map[string]any {
	out := map[string]any{}
	if len(a.Metadata) == 0 {
		return out
	}
	s, err := c.metadataSchema()
	if err != nil {
		c.s.log.Error("metadata fields", "cloud", c.cloud, "err", err)
		return out
	}
	for k, v := range a.Metadata {
		if _, ok := s.byID[k]; ok {
			out[k] = v
		}
	}
	return out
}

// updateMetadata serves POST /<rt>/metadata (the SDKs' update_metadata):
// metadata merged into every asset of public_ids of type (upload by
// default); an empty value clears a field. Each asset's values are then
// checked again (revalidate: clear_invalid removes those that no longer
// pass). It answers the public IDs that exist.
func (c *call) updateMetadata(rt string, p *api.Params) {
	if !p.Has("metadata") {
		c.fail(api.BadRequest("Missing required parameter - metadata"))
		return
	}
	e, err := c.metadataEdit(p)
	if err != nil {
		c.fail(err)
		return
	}
	check, err := c.metadataCheck(p, e)
	if err != nil {
		c.fail(err)
		return
	}
	update := func(a *meta.Asset) error {
		e.apply(a)
		return check(a)
	}
	if err := c.precheckMetadata(rt, p, update); err != nil {
		c.fail(err)
		return
	}
	var prev meta.Asset // no notification: the metadata method takes no notification_url
	done, ok := c.updateEach(c.ctx(), rt, p, 1, &prev, update)
	if ok {
		c.ok(idsResult{PublicIDs: nonNil(done)})
	}
}

// precheckMetadata runs update on each asset of several public_ids as it
// is now, before any is written: each asset is written in a transaction
// of its own (updateEach), so without this a value of a later asset that
// no longer passes (revalidate) would fail the call after the earlier
// ones were changed. With clear_invalid (such values are removed, never
// refused) or one public ID there is nothing to check first. Each asset
// is checked again when written.
func (c *call) precheckMetadata(rt string, p *api.Params, update func(*meta.Asset) error) error {
	ids, err := targetIDs(p, 1)
	if err != nil || len(ids) < 2 {
		return nil // updateEach answers a bad public_ids
	}
	if clear, err := p.Bool("clear_invalid", false); err != nil || clear {
		return err
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		return nil // updateEach answers it
	}
	for _, id := range ids {
		a, err := c.s.meta.Asset(c.ctx(), meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: typ, PublicID: id})
		switch {
		case errors.Is(err, meta.ErrNotFound):
			continue
		case err != nil:
			return delivery.AsError(err)
		}
		if err := update(a); err != nil { // a read copy: nothing is written
			return err
		}
	}
	return nil
}

// uploadMetadata is a new version's values: the metadata parameter's,
// and every other field's default value.
func (c *call) uploadMetadata(p *api.Params) (map[string]any, error) {
	e, err := c.metadataEdit(p)
	if err != nil {
		return nil, err
	}
	if e == nil {
		e = &mdEdit{set: map[string]any{}}
	}
	s, err := c.metadataSchema()
	if err != nil {
		return nil, err
	}
	return s.forUpload(e), nil
}
