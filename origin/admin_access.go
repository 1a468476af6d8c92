package origin

import (
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxAccessModePerCall bounds the assets one update_access_mode call
// changes: public_ids, or one page of a prefix or tag.
const maxAccessModePerCall = 100

// accessModeJSON is one asset update_access_mode changed.
type accessModeJSON struct {
	PublicID   string `json:"public_id"`
	AccessMode string `json:"access_mode"`
}

// accessModeFailedJSON is one requested public ID it could not change.
type accessModeFailedJSON struct {
	PublicID string `json:"public_id"`
	Error    string `json:"error"`
}

// accessModeQuery reads an update_access_mode call: the mode, the assets
// (exactly one of public_ids, prefix and tag) and where the last call
// stopped (next_cursor).
func (c *call) accessModeQuery(rt delivery.ResourceType, typ delivery.DeliveryType, p *api.Params) (meta.AccessModeQuery, error) {
	mode, err := api.ParseAccessMode(p)
	switch {
	case err != nil:
		return meta.AccessModeQuery{}, err
	case mode == "":
		return meta.AccessModeQuery{}, api.BadRequest("Missing required parameter - access_mode")
	}
	sel := meta.Selection{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicIDs: api.Dedupe(p.List("public_ids")),
		Tag: p.Get("tag")}
	if prefix := p.Get("prefix"); prefix != "" {
		sel.Prefixes = []string{prefix}
	}
	err = exactlyOne(selector{"public_ids", len(sel.PublicIDs) > 0}, selector{"prefix", len(sel.Prefixes) > 0},
		selector{"tag", sel.Tag != ""})
	switch {
	case err != nil:
		return meta.AccessModeQuery{}, err
	case len(sel.PublicIDs) > maxAccessModePerCall:
		return meta.AccessModeQuery{}, api.BadRequest("Too many public_ids - at most %d per call", maxAccessModePerCall)
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "access_mode")
	if err != nil {
		return meta.AccessModeQuery{}, err
	}
	q := meta.AccessModeQuery{Selection: sel, Mode: mode, Limit: maxAccessModePerCall, Time: c.s.now().UTC()}
	if cur != nil {
		q.After = cur.Seq
	}
	return q, nil
}

// updateAccessMode serves POST /resources/<rt>/<type>/update_access_mode:
// access_mode (public or authenticated) for the assets given by exactly one
// of public_ids (at most 100), prefix or tag. A prefix or tag selecting
// more than 100 assets is done in pages: the answer has next_cursor and the
// caller repeats the call with it. A change purges the assets' URLs from
// the edges (Event.Restricted) once it is committed; setting authenticated
// does for every asset the call selected, even one that already was
// authenticated, so that a call retried after a failed publish still
// purges.
func (c *call) updateAccessMode(rt delivery.ResourceType, typ delivery.DeliveryType, p *api.Params) {
	q, err := c.accessModeQuery(rt, typ, p)
	if err != nil {
		c.fail(err)
		return
	}
	mode := q.Mode
	res, err := c.s.meta.SetAccessMode(c.ctx(), q)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Updated      []accessModeJSON       `json:"updated"`
		Failed       []accessModeFailedJSON `json:"failed"`
		NextCursor   string                 `json:"next_cursor,omitempty"`
		Invalidation *InvalidationStatus    `json:"invalidation,omitempty"`
	}{Updated: []accessModeJSON{}, Failed: []accessModeFailedJSON{}}
	if res.Next != 0 {
		out.NextCursor = api.Cursor{Kind: "access_mode", Seq: res.Next}.Encode()
	}
	restricted := mode == meta.AccessAuthenticated
	var events []Event
	for _, a := range res.Assets {
		if !a.Found {
			out.Failed = append(out.Failed, accessModeFailedJSON{PublicID: a.PublicID, Error: "not_found"})
			continue
		}
		out.Updated = append(out.Updated, accessModeJSON{PublicID: a.PublicID, AccessMode: mode})
		if a.Prev != mode || restricted {
			// Either way the asset's cached URLs go: the unsigned ones edges
			// hold for anyone, or for token holders only.
			events = append(events, Event{Kind: EventMetadataChanged, Asset: a.Key, OldVersion: a.Version,
				NewVersion: a.Version, Restricted: true, Time: q.Time})
		}
	}
	// The events go in one Emit, not one per asset as update and explicit
	// emit theirs: the call answers one invalidation (one id to report and
	// to wait for) covering up to 100 assets, published in one go, and
	// fails once (503) if it cannot be.
	inv, err := c.s.events.Emit(c.ctx(), events...)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The access mode was changed but the invalidation could not be published - retry the request"))
		return
	}
	out.Invalidation = c.report(p, inv)
	c.ok(out)
}
