package origin

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// update serves POST /resources/<rt>/<type>/<public_id>: tags (replace),
// context (replace), metadata, face_coordinates, custom_coordinates,
// moderation_status, display_name (unique_display_name: made unique in
// its asset folder), asset_folder, access_mode,
// access_control (accesscontrol.go), notification_url (tags and context
// changes: withChangeWebhooks). It answers the details (with the
// invalidation when it set access_mode or access_control: the asset's
// cached URLs are purged).
// Parameters that need add-ons and the like are refused before it runs
// (updateSpec).
func (c *call) update(rt delivery.ResourceType, typ delivery.DeliveryType, id string, p *api.Params) {
	edit, err := parseUpdate(p)
	if err == nil {
		err = c.checkFolderParams(p)
	}
	if err != nil {
		c.fail(err)
		return
	}
	md, err := c.metadataEdit(p) // merged into the asset's values (metadata_values.go)
	if err != nil {
		c.fail(err)
		return
	}
	mdCheck, err := c.metadataCheck(p, md) // then checked again, with clear_invalid
	if err != nil {
		c.fail(err)
		return
	}
	var prev meta.Asset
	unique, err := p.Bool("unique_display_name", false)
	if err != nil {
		c.fail(err)
		return
	}
	ctx, err := c.withChangeWebhooks(p, &prev) // its notification_url and triggers, in Update's transaction
	if err != nil {
		c.fail(err)
		return
	}
	// Only a name given, or the asset's own moved by asset_folder, is made
	// unique: an update of other fields keeps a name another asset shares.
	ctx = withUniqueDisplayName(ctx, unique && (p.Has("display_name") || p.Has("asset_folder")))
	key := meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicID: id}
	a, err := c.s.meta.Update(ctx, key, func(a *meta.Asset) error {
		prev = *a
		prev.Tags, prev.Context = slices.Clone(a.Tags), maps.Clone(a.Context)
		a.UpdatedAt = c.s.now().UTC()
		if md != nil {
			md.apply(a)
		}
		if err := mdCheck(a); err != nil {
			return err
		}
		return edit(a)
	})
	if isNotFound(err) {
		c.fail(api.NotFound(id))
		return
	}
	if err != nil {
		c.fail(delivery.AsError(err))
		return
	}
	c.s.webhooks.wake()
	inv, err := c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
		NewVersion: a.Version, Restricted: p.Has("access_mode") || p.Has("access_control"), Time: a.UpdatedAt})
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was updated but its invalidation could not be published - retry the request"))
		return
	}
	j, err := c.assetDetails(a, p)
	if err != nil {
		c.fail(err)
		return
	}
	j.Invalidation = c.report(p, inv)
	c.ok(j)
}

// contextEdits are the edits of context (k=v|k2=v2, replaced).
func contextEdits(p *api.Params) ([]func(*meta.Asset) error, error) {
	if !p.Has("context") {
		return nil, nil
	}
	m, err := api.ParseContext(strings.Join(p.Values("context"), "|"))
	if err != nil {
		return nil, err
	}
	return []func(*meta.Asset) error{func(a *meta.Asset) error { a.Context = m; return nil }}, nil
}

// coordinateEdits are the edits of face_coordinates and
// custom_coordinates.
func coordinateEdits(p *api.Params) ([]func(*meta.Asset) error, error) {
	var edits []func(*meta.Asset) error
	for _, k := range []string{"face_coordinates", "custom_coordinates"} {
		if !p.Has(k) {
			continue
		}
		regions, err := parseCoordinates(p.Values(k))
		if err != nil {
			return nil, api.BadRequest("Invalid %s - %s", k, err.Error())
		}
		if k == "face_coordinates" {
			edits = append(edits, func(a *meta.Asset) error { a.Coordinates.Faces = regions; return nil })
		} else {
			edits = append(edits, func(a *meta.Asset) error { a.Coordinates.Custom = regions; return nil })
		}
	}
	return edits, nil
}

// parseUpdate reads the update parameters into an edit of the asset.
func parseUpdate(p *api.Params) (func(*meta.Asset) error, error) {
	var edits []func(*meta.Asset) error
	add := func(f func(*meta.Asset) error) { edits = append(edits, f) }
	if p.Has("tags") {
		tags := api.Dedupe(p.List("tags"))
		if err := api.CheckTags(tags); err != nil {
			return nil, err
		}
		add(func(a *meta.Asset) error { a.Tags = tags; return nil })
	}
	for _, parse := range []func(*api.Params) ([]func(*meta.Asset) error, error){contextEdits, coordinateEdits} {
		e, err := parse(p)
		if err != nil {
			return nil, err
		}
		edits = append(edits, e...)
	}
	if p.Has("moderation_status") {
		st := p.Get("moderation_status")
		switch st {
		case "approved", "rejected", "pending":
		default:
			return nil, api.BadRequest("Invalid moderation_status - %s (must be approved, rejected or pending)", api.Clip(st))
		}
		add(func(a *meta.Asset) error {
			a.ModerationStatus = st
			if a.ModerationKind == "" {
				a.ModerationKind = "manual"
			}
			return nil
		})
	}
	if p.Has("display_name") {
		name := p.Get("display_name")
		if err := api.CheckDisplayName(name); err != nil {
			return nil, err
		}
		add(func(a *meta.Asset) error { a.DisplayName = name; return nil })
	}
	if p.Has("asset_folder") {
		folder := strings.Trim(p.Get("asset_folder"), "/")
		if err := api.CheckFolder(folder); err != nil {
			return nil, err
		}
		add(func(a *meta.Asset) error { a.AssetFolder = folder; return nil })
	}
	mode, err := api.ParseAccessMode(p)
	if err != nil {
		return nil, err
	}
	if mode != "" {
		add(func(a *meta.Asset) error { a.AccessMode = mode; return nil })
	}
	rules, given, err := parseAccessControl(p) // accesscontrol.go
	if err != nil {
		return nil, err
	}
	if given {
		add(func(a *meta.Asset) error { a.AccessControl = rules; return nil })
	}
	return func(a *meta.Asset) error {
		for _, e := range edits {
			if err := e(a); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// maxRegions bounds the regions of one coordinates parameter.
const maxRegions = 100

// parseCoordinates reads regions: "x,y,w,h|x,y,w,h" (the Node SDK), JSON
// arrays of four numbers (the Go SDK's api.Coordinates), or one region per
// value. An empty value clears.
func parseCoordinates(values []string) ([][4]int, error) {
	var out [][4]int
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "[") {
			var arr [][]int
			if err := json.Unmarshal([]byte(v), &arr); err != nil {
				var one []int
				if err := json.Unmarshal([]byte(v), &one); err != nil {
					return nil, &coordError{v}
				}
				arr = [][]int{one}
			}
			for _, r := range arr {
				if len(r) != 4 {
					return nil, &coordError{v}
				}
				out = append(out, [4]int{r[0], r[1], r[2], r[3]})
			}
			continue
		}
		for _, region := range strings.Split(v, "|") {
			var r [4]int
			nums := strings.Split(region, ",")
			if len(nums) != 4 {
				return nil, &coordError{region}
			}
			for i, n := range nums {
				x, err := strconv.Atoi(strings.TrimSpace(n))
				if err != nil {
					return nil, &coordError{region}
				}
				r[i] = x
			}
			out = append(out, r)
		}
	}
	if len(out) > maxRegions {
		return nil, &coordError{"more than 100 regions"}
	}
	for _, r := range out {
		if r[0] < 0 || r[1] < 0 || r[2] <= 0 || r[3] <= 0 {
			return nil, &coordError{fmt.Sprintf("%d,%d,%d,%d", r[0], r[1], r[2], r[3])}
		}
	}
	return out, nil
}

type coordError struct{ v string }

func (e *coordError) Error() string {
	return api.Clip(e.v) + " (want x,y,width,height with width and height above 0, regions separated by |)"
}
