package origin

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxListIDs bounds public_ids (and asset_ids) of a listing by IDs.
const maxListIDs = 100

// listResources serves GET /resources/<rt>[/<type>]: by public_ids (at
// most 100), or by prefix (ordered by public ID), or all (ordered by
// creation, newest first), with start_at and direction.
func (c *call) listResources(rt delivery.ResourceType, typ delivery.DeliveryType, p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	if ids := p.List("public_ids"); len(ids) > 0 {
		if typ == delivery.TypeNone {
			typ = delivery.Upload
		}
		c.listByIDs(ids, func(id string) (*meta.Asset, error) {
			return c.s.meta.Asset(c.ctx(), meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicID: id})
		}, lp)
		return
	}
	q := meta.ListQuery{Cloud: c.cloud, ResourceType: rt, Type: typ, Prefix: p.Get("prefix")}
	if s := p.Get("start_at"); s != "" {
		if q.CreatedSince, err = parseStartAt(s); err != nil {
			c.fail(err)
			return
		}
	}
	c.list(q, p, lp, q.Prefix != "")
}

// listByTag serves GET /resources/<rt>/tags/<tag>.
func (c *call) listByTag(rt delivery.ResourceType, tag string, p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	c.list(meta.ListQuery{Cloud: c.cloud, ResourceType: rt, Tag: tag}, p, lp, false)
}

// listByContext serves GET /resources/<rt>/context?key=&value=.
func (c *call) listByContext(rt delivery.ResourceType, p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	key := p.Get("key")
	if key == "" {
		c.fail(api.BadRequest("Missing required parameter - key"))
		return
	}
	q := meta.ListQuery{Cloud: c.cloud, ResourceType: rt, ContextKey: key}
	if p.Has("value") {
		q.ContextValue, q.MatchContextValue = p.Get("value"), true
	}
	c.list(q, p, lp, false)
}

// listByModeration serves GET /resources/<rt>/moderations/<kind>/<status>.
func (c *call) listByModeration(rt delivery.ResourceType, kind, status string, p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	switch status {
	case "pending", "approved", "rejected":
	default:
		c.fail(api.BadRequest("Invalid moderation status - %s (must be pending, approved or rejected)", api.Clip(status)))
		return
	}
	c.list(meta.ListQuery{Cloud: c.cloud, ResourceType: rt, ModerationKind: kind, ModerationStatus: status}, p, lp, false)
}

// listByAssetFolder serves GET /resources/by_asset_folder?asset_folder=.
func (c *call) listByAssetFolder(p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	if !p.Has("asset_folder") {
		c.fail(api.BadRequest("Missing required parameter - asset_folder"))
		return
	}
	folder := strings.Trim(p.Get("asset_folder"), "/")
	// Cloudinary answers the folder's total_count (all pages): counted in
	// its index, within search_timeout (a folder too large to count in it
	// is listed without one, rather than holding the call).
	ctx, cancel := c.searchContext()
	total, err := c.s.meta.CountAssetFolder(ctx, c.cloud, folder)
	cancel()
	switch {
	case err == nil:
		lp.total = &total
	case ctx.Err() == nil || c.ctx().Err() != nil:
		c.fail(delivery.Internal(err))
		return
	}
	c.list(meta.ListQuery{Cloud: c.cloud, AssetFolder: folder, ByAssetFolder: true}, p, lp, false)
}

// listByAssetIDs serves GET /resources/by_asset_ids?asset_ids[]=.
func (c *call) listByAssetIDs(p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	ids := p.List("asset_ids")
	if len(ids) == 0 {
		c.fail(api.BadRequest("Missing required parameter - asset_ids"))
		return
	}
	c.listByIDs(ids, func(id string) (*meta.Asset, error) { return c.s.meta.AssetByID(c.ctx(), c.cloud, id) }, lp)
}

// listByIDs answers a listing by IDs, in the order given, leaving out the
// ones that do not exist.
func (c *call) listByIDs(ids []string, find func(string) (*meta.Asset, error), lp listParams) {
	if len(ids) > maxListIDs {
		c.fail(api.BadRequest("Too many IDs - at most %d per call", maxListIDs))
		return
	}
	var assets []*meta.Asset
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		a, err := find(id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		assets = append(assets, a)
	}
	c.answerList(assets, lp, "")
}

// list runs a paged listing: by creation (newest first unless direction
// says asc) or, byID, by public ID (ascending unless direction says desc).
func (c *call) list(q meta.ListQuery, p *api.Params, lp listParams, byID bool) {
	asc, err := direction(p, byID)
	if err != nil {
		c.fail(err)
		return
	}
	switch {
	case byID && asc:
		q.Order = meta.ByPublicID
	case byID:
		q.Order = meta.ByPublicIDDesc
	case asc:
		q.Order = meta.OldestFirst
	default:
		q.Order = meta.NewestFirst
	}
	kind := "list" + strconv.Itoa(int(q.Order))
	cur, err := api.DecodeCursor(lp.cursor, kind)
	if err != nil {
		c.fail(err)
		return
	}
	if cur != nil {
		q.After = &meta.Position{Seq: cur.Seq, PublicID: cur.PublicID, Type: cur.Type}
	}
	q.Limit = lp.max
	page, err := c.s.meta.List(c.ctx(), q)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	next := ""
	if page.Next != nil {
		next = api.Cursor{Kind: kind, Seq: page.Next.Seq, PublicID: page.Next.PublicID, Type: page.Next.Type}.Encode()
	}
	c.answerList(page.Assets, lp, next)
}

func (c *call) answerList(assets []*meta.Asset, lp listParams, next string) {
	inc := include{tags: lp.tags, context: lp.context, metadata: lp.metadata, moderations: lp.moderations}
	out, err := c.listAnswer(assets, inc, lp.fields, next)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out.TotalCount = lp.total
	c.ok(out)
}

// direction reads direction: asc, desc, 1 or -1; the default is asc when
// ordering by public ID, desc otherwise.
func direction(p *api.Params, byID bool) (bool, error) {
	switch d := strings.ToLower(p.Get("direction")); d {
	case "":
		return byID, nil
	case "asc", "1", "ascending":
		return true, nil
	case "desc", "-1", "descending":
		return false, nil
	default:
		return false, api.BadRequest("Invalid direction - %s (must be asc, desc, 1 or -1)", api.Clip(d))
	}
}

// parseStartAt reads start_at: RFC 3339 (the Go SDK), an HTTP date (the
// Node SDK's toUTCString), JavaScript's Date.toString() (the Node SDK's
// own suite sends one; the zone's name in parentheses ignored), a date, or
// unix seconds.
func parseStartAt(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, http.TimeFormat, time.RFC1123Z, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	js, _, _ := strings.Cut(s, " (")
	if t, err := time.Parse("Mon Jan 02 2006 15:04:05 GMT-0700", js); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	return time.Time{}, api.BadRequest("Invalid start_at - %s", api.Clip(s))
}
