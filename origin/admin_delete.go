package origin

import (
	"net/http"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Bulk deletion limits (Cloudinary's).
const (
	maxDeleteIDs     = 100  // public_ids, asset_ids or derived_resource_ids per call
	maxDeletePerCall = 1000 // originals per prefix, all or tag call
)

// deleteJSON is a bulk deletion's answer.
type deleteJSON struct {
	Deleted       map[string]string        `json:"deleted"`
	DeletedCounts map[string]deletedCounts `json:"deleted_counts"`
	Partial       bool                     `json:"partial"`
	NextCursor    string                   `json:"next_cursor,omitempty"`
	Invalidation  *InvalidationStatus      `json:"invalidation,omitempty"`
}

type deletedCounts struct {
	Original int `json:"original"`
	Derived  int `json:"derived"`
}

// deleteOptions are the options every bulk deletion takes.
type deleteOptions struct {
	keepOriginal bool
	invalidate   bool
	clearBackups bool
	// transformations limit the deletion to those derived resources (as
	// given: "tx" or "tx/format"); they imply keep_original.
	transformations []string
	match           func(*meta.Derived) bool
	after           int64
}

func parseDeleteOptions(p *api.Params) (deleteOptions, error) {
	var o deleteOptions
	var err error
	for _, b := range []struct {
		dst *bool
		key string
	}{{&o.keepOriginal, "keep_original"}, {&o.invalidate, "invalidate"}, {&o.clearBackups, "clear_backups"}} {
		if *b.dst, err = p.Bool(b.key, false); err != nil {
			return o, err
		}
	}
	if o.transformations, o.match, err = parseTransformationsParam(p.Values("transformations")); err != nil {
		return o, err
	}
	if len(o.transformations) > 0 {
		o.keepOriginal = true
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "delete")
	if err != nil {
		return o, err
	}
	if cur != nil {
		o.after = cur.Seq
	}
	return o, nil
}

// parseTransformationsParam reads transformations: "tx|tx2/jpg" (each
// transformation optionally with "/<format>"), and returns them with a
// matcher of derived resources made with any of them, in any spelling.
func parseTransformationsParam(values []string) ([]string, func(*meta.Derived) bool, error) {
	type want struct{ canon, format string }
	var txs []string
	var wants []want
	for _, v := range values {
		for _, e := range strings.Split(v, "|") {
			if e = strings.TrimSpace(e); e == "" {
				continue
			}
			tx, format := splitEagerFormat(e)
			tr, err := delivery.ParseTransformation(tx)
			if err != nil || len(tr.Components) == 0 {
				return nil, nil, api.BadRequest("Invalid transformation - %s", api.Clip(e))
			}
			txs = append(txs, e)
			wants = append(wants, want{canon: tr.String(), format: format})
		}
	}
	if len(wants) == 0 {
		return nil, nil, nil
	}
	match := func(d *meta.Derived) bool {
		canon := d.Transformation
		if tr, err := delivery.ParseTransformation(d.Transformation); err == nil {
			canon = tr.String()
		}
		for _, w := range wants {
			if canon == w.canon && (w.format == "" || strings.EqualFold(w.format, d.Format)) {
				return true
			}
		}
		return false
	}
	return txs, match, nil
}

// splitRaw splits a parameter's values on commas without trimming (a
// prefix may end with a space), dropping empty parts.
func splitRaw(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// deleteResources serves DELETE /resources/<rt>/<type>: exactly one of
// public_ids (at most 100), prefix (one or more) or all=true.
func (c *call) deleteResources(rt delivery.ResourceType, typ delivery.DeliveryType, p *api.Params) {
	o, err := parseDeleteOptions(p)
	if err != nil {
		c.fail(err)
		return
	}
	all, err := p.Bool("all", false)
	if err != nil {
		c.fail(err)
		return
	}
	sel := meta.Selection{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicIDs: api.Dedupe(p.List("public_ids")),
		Prefixes: splitRaw(p.Values("prefix")), All: all}
	err = exactlyOne(selector{"public_ids", len(sel.PublicIDs) > 0}, selector{"prefix", len(sel.Prefixes) > 0},
		selector{"all", all})
	switch {
	case err != nil:
		c.fail(err)
		return
	case len(sel.PublicIDs) > maxDeleteIDs:
		c.fail(api.BadRequest("Too many public_ids - at most %d per call", maxDeleteIDs))
		return
	}
	c.bulkDelete(sel, o, p)
}

// deleteByTag serves DELETE /resources/<rt>/tags/<tag>.
func (c *call) deleteByTag(rt delivery.ResourceType, tag string, p *api.Params) {
	o, err := parseDeleteOptions(p)
	if err != nil {
		c.fail(err)
		return
	}
	c.bulkDelete(meta.Selection{Cloud: c.cloud, ResourceType: rt, Tag: tag}, o, p)
}

// deleteByAssetIDs serves DELETE /resources with asset_ids (at most 100).
func (c *call) deleteByAssetIDs(p *api.Params) {
	o, err := parseDeleteOptions(p)
	if err != nil {
		c.fail(err)
		return
	}
	ids := api.Dedupe(p.List("asset_ids"))
	switch {
	case len(ids) == 0:
		c.fail(api.BadRequest("Missing required parameter - asset_ids"))
		return
	case len(ids) > maxDeleteIDs:
		c.fail(api.BadRequest("Too many asset_ids - at most %d per call", maxDeleteIDs))
		return
	}
	c.bulkDelete(meta.Selection{Cloud: c.cloud, AssetIDs: ids}, o, p)
}

// bulkDelete runs one call of a bulk deletion: at most 1,000 originals;
// when more remain, partial and next_cursor say so and the caller repeats.
// Its events go in one Emit once the deletion is committed; with
// invalidate, that publishes the purge (wait=<ms> waits for the edges).
func (c *call) bulkDelete(sel meta.Selection, o deleteOptions, p *api.Params) {
	ctx, err := c.withDeletedWebhook(p) // its notification_url and triggers, in DeleteAssets' transaction
	if err != nil {
		c.fail(err)
		return
	}
	res, err := c.s.meta.DeleteAssets(ctx, meta.DeleteQuery{Selection: sel, After: o.after,
		Limit: maxDeletePerCall, KeepOriginal: o.keepOriginal, Derived: o.match, ClearBackups: o.clearBackups})
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.s.deleteBlobs(res.Orphans...)
	c.s.webhooks.wake()
	out := deleteJSON{Deleted: map[string]string{}, DeletedCounts: map[string]deletedCounts{}, Partial: res.Next != 0}
	if res.Next != 0 {
		out.NextCursor = api.Cursor{Kind: "delete", Seq: res.Next}.Encode()
	}
	for _, d := range res.Assets {
		name := d.PublicID
		if len(sel.AssetIDs) > 0 {
			name = d.AssetID
		}
		if !d.Found {
			out.Deleted[name] = "not_found"
			continue
		}
		out.Deleted[name] = "deleted"
		out.DeletedCounts[name] = deletedCounts{Original: d.Original, Derived: d.Derived}
	}
	inv, err := c.s.events.Emit(c.ctx(), c.bulkEvents(sel, o, res)...)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The resources were deleted but their invalidation could not be published - retry the request"))
		return
	}
	out.Invalidation = c.report(p, inv)
	c.ok(out)
}

// bulkEvents are the events of a bulk deletion: each asset's (destroyed,
// or derived_deleted with keep_original); with invalidate, one
// prefix_deleted per prefix (an empty prefix for all) carries the
// invalidation, else each asset's event does, and a public ID not found
// gets an invalidated event (so that a call retried after a failed
// publish still purges).
func (c *call) bulkEvents(sel meta.Selection, o deleteOptions, res meta.DeleteResult) []Event {
	byPrefix := len(sel.Prefixes) > 0 || sel.All
	now := c.s.now()
	var events []Event
	for _, d := range res.Assets {
		e := Event{Asset: d.Key, OldVersion: d.Version, Invalidate: o.invalidate && !byPrefix, Time: now}
		switch {
		case d.Found && d.Original == 1:
			e.Kind = EventDestroyed
		case d.Found:
			e.Kind, e.Derived, e.Transformations = EventDerivedDeleted, true, o.transformations
		case len(sel.PublicIDs) > 0 && o.invalidate:
			e.Kind, e.Derived, e.Transformations = EventInvalidated, o.keepOriginal, o.transformations
		default:
			continue
		}
		events = append(events, e)
	}
	if !byPrefix {
		return events
	}
	prefixes := sel.Prefixes
	if sel.All {
		prefixes = []string{""}
	}
	for _, prefix := range prefixes {
		events = append(events, Event{Kind: EventPrefixDeleted,
			Asset:  meta.Key{Cloud: c.cloud, ResourceType: sel.ResourceType, Type: sel.Type},
			Prefix: prefix, Derived: o.keepOriginal, Transformations: o.transformations,
			Invalidate: o.invalidate, Time: now})
	}
	return events
}

// deleteDerived serves DELETE /derived_resources: derived_resource_ids (at
// most 100), optionally invalidating their URLs.
func (c *call) deleteDerived(p *api.Params) {
	ids := api.Dedupe(p.List("derived_resource_ids"))
	switch {
	case len(ids) == 0:
		c.fail(api.BadRequest("Missing required parameter - derived_resource_ids"))
		return
	case len(ids) > maxDeleteIDs:
		c.fail(api.BadRequest("Too many derived_resource_ids - at most %d per call", maxDeleteIDs))
		return
	}
	invalidate, err := p.Bool("invalidate", false)
	if err != nil {
		c.fail(err)
		return
	}
	var nums []int64
	for _, id := range ids {
		if n, ok := parseDerivedID(id); ok {
			nums = append(nums, n)
		}
	}
	res, err := c.s.meta.DeleteDerived(c.ctx(), c.cloud, nums)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.s.deleteBlobs(res.Orphans...)
	out := struct {
		Deleted      map[string]string   `json:"deleted"`
		Invalidation *InvalidationStatus `json:"invalidation,omitempty"`
	}{Deleted: map[string]string{}}
	var events []Event
	for _, id := range ids {
		n, _ := parseDerivedID(id)
		o, ok := res.Deleted[n]
		if !ok {
			out.Deleted[id] = "not_found"
			continue
		}
		out.Deleted[id] = "deleted"
		events = append(events, derivedDeleted(o.Key, o.Version, o.Transformation, invalidate, c.s.now()))
	}
	inv, err := c.s.events.Emit(c.ctx(), events...)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The derived resources were deleted but their invalidation could not be published - retry the request"))
		return
	}
	out.Invalidation = c.report(p, inv)
	c.ok(out)
}

// derivedDeleted is the event of one derived resource deleted: the asset
// k at version, made with transformation tx.
func derivedDeleted(k meta.Key, version int64, tx string, invalidate bool, now time.Time) Event {
	return Event{Kind: EventDerivedDeleted, Asset: k, OldVersion: version, Derived: true,
		Transformations: []string{tx}, Invalidate: invalidate, Time: now}
}
