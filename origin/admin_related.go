package origin

import (
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxRelatePerCall bounds assets_to_relate and assets_to_unrelate.
const maxRelatePerCall = 10

// relatedSource names the asset relations are added to or removed from.
type relatedSource struct {
	assetID  string
	rt       delivery.ResourceType
	typ      delivery.DeliveryType
	publicID string
}

// relationJSON is one relation's outcome.
type relationJSON struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Asset   string `json:"asset"`
	Status  int    `json:"status"`
}

// relate serves POST (add) and DELETE (remove) of
// /resources/related_assets/<rt>/<type>/<public_id> and
// /resources/related_assets/<asset_id>: up to 10 assets, each
// "<rt>/<type>/<public_id>" or an asset ID; relations go both ways.
func (c *call) relate(from func() (relatedSource, error), add bool, p *api.Params) {
	src, err := from()
	if err != nil {
		c.fail(err)
		return
	}
	param := "assets_to_relate"
	if !add {
		param = "assets_to_unrelate"
	}
	names := api.Dedupe(p.List(param))
	switch {
	case len(names) == 0:
		c.fail(api.BadRequest("Missing required parameter - %s", param))
		return
	case len(names) > maxRelatePerCall:
		c.fail(api.BadRequest("Too many %s - at most %d per call", param, maxRelatePerCall))
		return
	}
	results := make([]relationJSON, len(names))
	var refs []meta.AssetRef
	var valid []int // indexes of names in refs
	for i, n := range names {
		ref, ok := c.assetRef(n)
		if !ok {
			results[i] = relationJSON{Message: "Invalid asset - want <resource_type>/<type>/<public_id> or an asset ID",
				Code: "invalid_ids", Asset: n, Status: http.StatusBadRequest}
			continue
		}
		refs, valid = append(refs, ref), append(valid, i)
	}
	source := meta.AssetRef{Key: meta.Key{Cloud: c.cloud, ResourceType: src.rt, Type: src.typ, PublicID: src.publicID},
		AssetID: src.assetID}
	relateFn := c.s.meta.Relate
	if !add {
		relateFn = c.s.meta.Unrelate
	}
	outcomes, err := relateFn(c.ctx(), source, refs)
	if isNotFound(err) {
		c.fail(api.NotFound(src.publicID + src.assetID))
		return
	}
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	for i, o := range outcomes {
		r := relationOutcome(o, add)
		r.Asset = names[valid[i]]
		results[valid[i]] = r
	}
	c.ok(relationsAnswer(results))
}

// relationsAnswer is a relate or unrelate call's answer: its results,
// success and failed.
func relationsAnswer(results []relationJSON) any {
	out := struct {
		Success []relationJSON `json:"success"`
		Failed  []relationJSON `json:"failed"`
	}{Success: []relationJSON{}, Failed: []relationJSON{}}
	for _, r := range results {
		if r.Status == http.StatusOK {
			out.Success = append(out.Success, r)
		} else {
			out.Failed = append(out.Failed, r)
		}
	}
	return out
}

// assetRef parses "<rt>/<type>/<public_id>" or an asset ID.
func (c *call) assetRef(s string) (meta.AssetRef, bool) {
	if isAssetID(s) {
		return meta.AssetRef{Key: meta.Key{Cloud: c.cloud}, AssetID: s}, true
	}
	rtName, rest, _ := strings.Cut(s, "/")
	typName, id, _ := strings.Cut(rest, "/")
	rt, rtOK := delivery.ParseResourceType(rtName)
	typ, typOK := delivery.ParseDeliveryType(typName)
	if !rtOK || !typOK || !isStoredType(typ) || id == "" {
		return meta.AssetRef{}, false
	}
	return meta.AssetRef{Key: meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ, PublicID: id}}, true
}

func relationOutcome(o meta.RelateOutcome, add bool) relationJSON {
	switch o {
	case meta.RelationDone:
		return relationJSON{Message: "success", Code: "success_ids", Status: http.StatusOK}
	case meta.RelationUnchanged:
		if add {
			return relationJSON{Message: "Assets are already related", Code: "already_exists", Status: http.StatusConflict}
		}
		return relationJSON{Message: "Assets are not related", Code: "not_found", Status: http.StatusNotFound}
	case meta.RelationToSelf:
		return relationJSON{Message: "An asset cannot be related to itself", Code: "invalid_ids", Status: http.StatusBadRequest}
	}
	return relationJSON{Message: "Resource not found", Code: "not_found", Status: http.StatusNotFound}
}
