package origin

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Upload presets: the Admin API's upload_presets (create, list, get,
// update, delete) and their use by an upload's upload_preset parameter.
// A preset's settings are upload parameters this server implements, kept
// as the Upload API receives them; an upload applies them under its own
// parameters (upload_unsigned.go says what an unsigned upload may add).

// presetSettingNames are the upload parameters a preset may set: the
// upload method's implemented parameters but the file, the resource type
// and the credentials.
func presetSettingNames() []string {
	var out []string
	for _, n := range uploadImplemented() {
		switch n {
		case "file", "resource_type", "upload_preset":
			continue
		}
		out = append(out, n)
	}
	return out
}

// presetBoolSettings are the settings answered as JSON booleans.
var presetBoolSettings = []string{"use_filename", "unique_filename", "use_filename_as_display_name", "unique_display_name",
	"use_asset_folder_as_public_id_prefix", "discard_original_filename", "overwrite", "invalidate",
	"return_delete_token", "backup", "colors", "phash", "image_metadata", "media_metadata", "exif", "faces"}

// Admin API parameters of the upload_presets methods.
func presetListSpec() api.MethodParams { return only("max_results", "next_cursor") }

func presetGetSpec() api.MethodParams { return only("max_results") }

func presetDeleteSpec() api.MethodParams { return only() }

// presetWriteSpec is create and update: the preset's own fields (live
// marks a live-broadcast preset: kept and answered, it changes nothing for
// an upload here, this server having no live streaming input), and as
// settings the upload parameters this server implements; an upload
// parameter it refuses is refused by name.
func presetWriteSpec() api.MethodParams {
	return api.MethodParams{
		Implemented: append([]string{"name", "unsigned", "disallow_public_id", "live"}, presetSettingNames()...),
		Refused:     uploadRefused(),
	}
}

// presetRoutes routes /upload_presets and /upload_presets/<name>.
func (c *call) presetRoutes(tail string) adminRoutes {
	if tail == "" {
		return adminRoutes{
			http.MethodGet:  {presetListSpec(), c.listPresets},
			http.MethodPost: {presetWriteSpec(), func(p *api.Params) { c.createPreset(p.Get("name"), p) }},
		}
	}
	return adminRoutes{
		http.MethodGet:    {presetGetSpec(), func(*api.Params) { c.getPreset(tail) }},
		http.MethodPost:   {presetWriteSpec(), func(p *api.Params) { c.createPreset(tail, p) }},
		http.MethodPut:    {presetWriteSpec(), func(p *api.Params) { c.updatePreset(tail, p) }},
		http.MethodDelete: {presetDeleteSpec(), func(*api.Params) { c.deletePreset(tail) }},
	}
}

// presetJSON is a preset as the Admin API answers it.
type presetJSON struct {
	Name     string         `json:"name"`
	Unsigned bool           `json:"unsigned"`
	Settings map[string]any `json:"settings"`
}

func presetItem(pr *meta.UploadPreset) presetJSON {
	s := map[string]any{}
	for k, v := range pr.Settings {
		if slices.Contains(presetBoolSettings, k) {
			s[k] = v == "true"
		} else {
			s[k] = v
		}
	}
	if pr.DisallowPublicID {
		s["disallow_public_id"] = true
	}
	if pr.Live {
		s["live"] = true
	}
	return presetJSON{Name: pr.Name, Unsigned: pr.Unsigned, Settings: s}
}

func presetNotFound(name string) error {
	return delivery.Errorf(http.StatusNotFound, "Upload preset %s not found", api.Clip(name))
}

// listPresets serves GET /upload_presets: by name, max_results (default
// 10, at most 500), next_cursor.
func (c *call) listPresets(p *api.Params) {
	n, err := maxResults(p, defaultMaxResults, maxMaxResults)
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "upload_presets")
	if err != nil {
		c.fail(err)
		return
	}
	after := ""
	if cur != nil {
		after = cur.Name
	}
	list, err := c.s.meta.UploadPresets(c.ctx(), c.cloud, after, n+1)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Presets    []presetJSON `json:"presets"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}{Presets: []presetJSON{}}
	for i := range list {
		if i == n {
			out.NextCursor = api.Cursor{Kind: "upload_presets", Name: list[i-1].Name}.Encode()
			break
		}
		out.Presets = append(out.Presets, presetItem(&list[i]))
	}
	c.ok(out)
}

// getPreset serves GET /upload_presets/<name>.
func (c *call) getPreset(name string) {
	pr, err := c.s.meta.UploadPreset(c.ctx(), c.cloud, name)
	if isNotFound(err) {
		c.fail(presetNotFound(name))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(presetItem(pr))
}

// presetAttrs are a preset's own fields a create or update sets, nil
// when not sent.
type presetAttrs struct{ unsigned, disallow, live *bool }

// apply sets the attributes sent on pr.
func (a presetAttrs) apply(pr *meta.UploadPreset) {
	for _, f := range []struct {
		src *bool
		dst *bool
	}{{a.unsigned, &pr.Unsigned}, {a.disallow, &pr.DisallowPublicID}, {a.live, &pr.Live}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

// presetFields reads what a create or update sets: the preset's own
// attributes and the settings sent (a setting sent empty is "", which an
// update removes).
func presetFields(p *api.Params) (attrs presetAttrs, settings map[string]string, err error) {
	for _, f := range []struct {
		dst **bool
		key string
	}{{&attrs.unsigned, "unsigned"}, {&attrs.disallow, "disallow_public_id"}, {&attrs.live, "live"}} {
		if p.Has(f.key) && p.Get(f.key) != "" {
			b, err := p.Bool(f.key, false)
			if err != nil {
				return attrs, nil, err
			}
			*f.dst = &b
		}
	}
	settings = map[string]string{}
	for _, k := range presetSettingNames() {
		if !p.Has(k) {
			continue
		}
		sep := ","
		switch k {
		case "context", "eager", "face_coordinates", "custom_coordinates":
			sep = "|"
		}
		v := strings.Join(p.Values(k), sep)
		if slices.Contains(presetBoolSettings, k) && v != "" {
			b, err := p.Bool(k, false)
			if err != nil {
				return attrs, nil, err
			}
			v = "false"
			if b {
				v = "true"
			}
		}
		settings[k] = v
	}
	return attrs, settings, nil
}

// checkPresetSettings reads settings as an upload would: a value an upload
// would refuse is refused now, not at every upload.
func checkPresetSettings(settings map[string]string) error {
	_, err := parseUploadOptions(api.ParamsOf(settings))
	return err
}

// createPreset serves POST /upload_presets: a name is made when none is
// given; one that exists answers 409.
func (c *call) createPreset(name string, p *api.Params) {
	if name == "" {
		name = strings.ToLower(api.RandomID(8))
	}
	if !config.ValidTransformationName(name) {
		c.fail(api.BadRequest("Invalid upload preset name - %s (letters, digits, _ and - only)", api.Clip(name)))
		return
	}
	attrs, settings, err := presetFields(p)
	if err != nil {
		c.fail(err)
		return
	}
	for k, v := range settings {
		if v == "" {
			delete(settings, k)
		}
	}
	if err := checkPresetSettings(settings); err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	pr := &meta.UploadPreset{Cloud: c.cloud, Name: name, Settings: settings, CreatedAt: now, UpdatedAt: now}
	attrs.apply(pr)
	err = c.s.meta.CreateUploadPreset(c.ctx(), pr)
	if errors.Is(err, meta.ErrExists) {
		c.fail(delivery.Errorf(http.StatusConflict, "Upload preset %s already exists", name))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string]string{"message": "created", "name": name})
}

// updatePreset serves PUT /upload_presets/<name>: the fields and settings
// sent replace the preset's, a setting sent empty is removed, the others
// are kept.
func (c *call) updatePreset(name string, p *api.Params) {
	attrs, settings, err := presetFields(p)
	if err != nil {
		c.fail(err)
		return
	}
	err = c.s.meta.UpdateUploadPreset(c.ctx(), c.cloud, name, func(pr *meta.UploadPreset) error {
		attrs.apply(pr)
		for k, v := range settings {
			if v == "" {
				delete(pr.Settings, k)
			} else {
				pr.Settings[k] = v
			}
		}
		pr.UpdatedAt = c.s.now().UTC()
		return checkPresetSettings(pr.Settings)
	})
	if isNotFound(err) {
		c.fail(presetNotFound(name))
		return
	}
	var de *delivery.Error
	if errors.As(err, &de) {
		c.fail(err)
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string]string{"message": "updated"})
}

// deletePreset serves DELETE /upload_presets/<name>.
func (c *call) deletePreset(name string) {
	err := c.s.meta.DeleteUploadPreset(c.ctx(), c.cloud, name)
	if isNotFound(err) {
		c.fail(presetNotFound(name))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string]string{"message": "deleted"})
}

// applyPreset applies the call's upload_preset, if any: the preset's
// settings under the call's own parameters, only those named in only
// when only is not nil (explicit takes the settings it implements; the
// others name, convert and store an upload's file). An unsigned upload
// (c.unsigned) needs an unsigned preset and may set only what
// unsignedAllowed lists; it does not overwrite unless its preset says so.
func (c *call) applyPreset(p *api.Params, only []string) error {
	name := p.Get("upload_preset")
	if name == "" {
		if c.unsigned {
			return api.BadRequest("Upload preset must be specified when using unsigned upload")
		}
		return nil
	}
	pr, err := c.s.meta.UploadPreset(c.ctx(), c.cloud, name)
	if isNotFound(err) {
		return api.BadRequest("Upload preset not found")
	}
	if err != nil {
		return delivery.Internal(err)
	}
	if c.unsigned {
		if err := checkUnsignedParams(p, pr); err != nil {
			return err
		}
	}
	for k, v := range pr.Settings {
		if only == nil || slices.Contains(only, k) {
			p.Default(k, v)
		}
	}
	if c.unsigned {
		p.Default("overwrite", "false")
	}
	return nil
}
