package origin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
)

// adminHandler serves one Admin API call with its parameters.
type adminHandler func(p *api.Params)

// adminEndpoint is one Admin API method of a path: its Cloudinary
// parameters (admin_paramspec.go) and its handler.
type adminEndpoint struct {
	params api.MethodParams
	serve  adminHandler
}

// adminRoutes are a path's methods.
type adminRoutes map[string]adminEndpoint

// isAdminTop reports the first path segments of the Admin API.
func isAdminTop(s string) bool {
	switch s {
	case "ping", "usage", "resources", "derived_resources", "tags", "transformations", "upload_mappings", "upload_presets",
		"metadata_fields", "folders", "config", "triggers", "notifications":
		return true
	}
	return false
}

// routeAdmin serves the Admin API under /v1_1/<cloud>/: HTTP Basic auth
// with the cloud's key and secret, the hourly rate limit with its
// X-FeatureRateLimit-* headers, the method's refused parameters, then the
// call. It reports false for paths that are not the Admin API's.
func (c *call) routeAdmin(rest string) bool {
	top, tail, _ := strings.Cut(rest, "/")
	if !isAdminTop(top) {
		return false
	}
	limit := c.cl.Admin.EffectiveRateLimit()
	if err := api.AuthenticateAdmin(c.r, c.cl); err != nil {
		c.s.limits.Show(c.ctx(), c.w, c.cloud, limit, c.s.now())
		c.w.Header().Set("WWW-Authenticate", `Basic realm="Admin API"`)
		c.fail(err)
		return true
	}
	if err := c.s.limits.Take(c.ctx(), c.w, c.cloud, limit, c.s.now()); err != nil {
		c.fail(err)
		return true
	}
	e, err := c.adminRoute(top, tail)
	if err != nil {
		c.fail(err)
		return true
	}
	// Derived images just made are recorded in the background: the Admin
	// API lists and deletes what is recorded, so it waits for them first.
	c.s.WaitRecorded()
	p, err := api.ReadParams(c.w, c.r, api.MaxFieldsBytes+64<<10)
	if err != nil {
		c.fail(err)
		return true
	}
	if err := e.params.Check(p); err != nil {
		c.fail(err)
		return true
	}
	e.serve(p)
	return true
}

// adminRoute picks the endpoint for a method and path; errors are 404 for
// unknown paths and 405 for a known path with another method.
func (c *call) adminRoute(top, tail string) (adminEndpoint, error) {
	m := c.r.Method
	var routes adminRoutes
	switch top {
	case "ping":
		routes = adminRoutes{http.MethodGet: {api.MethodParams{}, c.ping}}
		if tail != "" {
			return adminEndpoint{}, adminNotFound()
		}
	case "usage":
		routes = adminRoutes{http.MethodGet: {usageSpec(), func(p *api.Params) { c.usage(tail, p) }}}
	case "config":
		if tail != "" {
			return adminEndpoint{}, adminNotFound()
		}
		routes = adminRoutes{http.MethodGet: {configSpec(), c.cloudConfig}}
	case "folders":
		routes = c.folderRoutes(tail) // admin_folders.go
	case "tags":
		rt, ok := delivery.ParseResourceType(tail)
		if !ok {
			return adminEndpoint{}, adminNotFound()
		}
		routes = adminRoutes{http.MethodGet: {tagsListSpec(), func(p *api.Params) { c.listTags(rt, p) }}}
	case "derived_resources":
		if tail != "" {
			return adminEndpoint{}, adminNotFound()
		}
		routes = adminRoutes{http.MethodDelete: {deleteDerivedSpec(), c.deleteDerived}}
	case "transformations":
		routes = c.transformationRoutes(tail)
	case "upload_mappings":
		routes = c.mappingRoutes(tail) // admin_mappings.go
	case "upload_presets":
		routes = c.presetRoutes(tail)
	case "metadata_fields":
		routes = c.metadataFieldRoutes(tail) // admin_metadata_fields.go
	case "triggers":
		routes = c.triggerRoutes(tail) // admin_triggers.go
	case "notifications":
		routes = c.notificationRoutes(tail) // admin_notifications.go
	case "resources":
		var err error
		if routes, err = c.resourceRoutes(tail); err != nil {
			return adminEndpoint{}, err
		}
	}
	if e, ok := routes[m]; ok {
		return e, nil
	}
	if len(routes) == 0 {
		return adminEndpoint{}, adminNotFound()
	}
	allowed := make([]string, 0, len(routes))
	for _, k := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if _, ok := routes[k]; ok {
			allowed = append(allowed, k)
		}
	}
	c.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return adminEndpoint{}, delivery.Errorf(http.StatusMethodNotAllowed, "Method not allowed - use %s", strings.Join(allowed, " or "))
}

func adminNotFound() *delivery.Error { return delivery.Errorf(http.StatusNotFound, "Not found") }

// resourceRoutes routes /resources/...:
//
//	resources                                   GET resource types; DELETE by asset_ids
//	resources/<asset_id>                        GET details by asset ID
//	resources/by_asset_ids, by_asset_folder     GET listings
//	resources/search                            GET, POST the Search API
//	resources/restore                           POST restore by asset IDs
//	resources/backup/<asset_id>                 DELETE backed-up versions
//	resources/related_assets/<asset_id>         POST, DELETE relations
//	resources/related_assets/<rt>/<type>/<id>   POST, DELETE relations
//	resources/<rt>                              GET list
//	resources/<rt>/tags/<tag>                   GET list, DELETE by tag
//	resources/<rt>/context                      GET list by context
//	resources/<rt>/moderations/<kind>/<status>  GET moderation queue
//	resources/<rt>/publish_resources            POST publish (admin_publish.go)
//	resources/<rt>/<type>                       GET list, DELETE in bulk
//	resources/<rt>/<type>/restore               POST restore
//	resources/<rt>/<type>/update_access_mode    POST access mode in bulk
//	resources/<rt>/<type>/<public_id>           GET details, POST update
func (c *call) resourceRoutes(tail string) (adminRoutes, error) {
	if tail == "" {
		return adminRoutes{
			http.MethodGet:    {api.MethodParams{}, c.resourceTypes},
			http.MethodDelete: {deleteByAssetIDsSpec(), c.deleteByAssetIDs},
		}, nil
	}
	first, rest, _ := strings.Cut(tail, "/")
	switch first {
	case "by_asset_ids":
		return adminRoutes{http.MethodGet: {listByAssetIDsSpec(), c.listByAssetIDs}}, nil
	case "by_asset_folder":
		return adminRoutes{http.MethodGet: {listByFolderSpec(), c.listByAssetFolder}}, nil
	case "restore":
		return adminRoutes{http.MethodPost: {restoreByAssetIDsSpec(), c.restoreByAssetIDs}}, nil
	case "backup":
		if rest == "" {
			return nil, adminNotFound()
		}
		return adminRoutes{http.MethodDelete: {deleteBackupsSpec(), func(p *api.Params) { c.deleteBackups(rest, p) }}}, nil
	case "related_assets":
		return c.relatedRoutes(rest)
	case "search":
		if rest != "" {
			return nil, adminNotFound()
		}
		return adminRoutes{http.MethodGet: {searchSpec(), c.searchAssets}, http.MethodPost: {searchSpec(), c.searchAssets}}, nil // admin_search.go
	}
	rt, ok := delivery.ParseResourceType(first)
	if !ok {
		if isAssetID(first) && rest == "" {
			return adminRoutes{http.MethodGet: {detailsSpec(), func(p *api.Params) { c.detailsByAssetID(first, p) }}}, nil
		}
		return nil, adminNotFound()
	}
	if rest == "" {
		return adminRoutes{http.MethodGet: {listSpec(), func(p *api.Params) { c.listResources(rt, delivery.TypeNone, p) }}}, nil
	}
	second, rest2, _ := strings.Cut(rest, "/")
	switch second {
	case "tags":
		if rest2 == "" {
			return nil, adminNotFound()
		}
		return adminRoutes{
			http.MethodGet:    {listByTagSpec(), func(p *api.Params) { c.listByTag(rt, rest2, p) }},
			http.MethodDelete: {deleteByTagSpec(), func(p *api.Params) { c.deleteByTag(rt, rest2, p) }},
		}, nil
	case "context":
		return adminRoutes{http.MethodGet: {listByContextSpec(), func(p *api.Params) { c.listByContext(rt, p) }}}, nil
	case "moderations":
		kind, status, ok := strings.Cut(rest2, "/")
		if !ok || kind == "" || status == "" || strings.Contains(status, "/") {
			return nil, adminNotFound()
		}
		return adminRoutes{http.MethodGet: {listByModerationSpec(), func(p *api.Params) { c.listByModeration(rt, kind, status, p) }}}, nil
	case "publish_resources":
		if rest2 != "" {
			return nil, adminNotFound()
		}
		return adminRoutes{http.MethodPost: {publishSpec(), func(p *api.Params) { c.publishResources(rt, p) }}}, nil
	}
	typ, ok := delivery.ParseDeliveryType(second)
	if ok && isMadeType(typ) { // multi and sprite results: listed and inspected
		if rest2 == "" {
			return adminRoutes{http.MethodGet: {listSpec(), func(p *api.Params) { c.listResources(rt, typ, p) }}}, nil
		}
		return adminRoutes{http.MethodGet: {detailsSpec(), func(p *api.Params) { c.details(rt, typ, rest2, p) }}}, nil
	}
	if !ok || !isStoredType(typ) && typ != delivery.Fetch { // fetched images are listed, inspected and deleted too
		return nil, api.BadRequest("Invalid type - %s (must be upload, private, authenticated or fetch)", api.Clip(second))
	}
	if rest2 == "" {
		return adminRoutes{
			http.MethodGet:    {listSpec(), func(p *api.Params) { c.listResources(rt, typ, p) }},
			http.MethodDelete: {deleteSpec(), func(p *api.Params) { c.deleteResources(rt, typ, p) }},
		}, nil
	}
	routes := adminRoutes{
		http.MethodGet:  {detailsSpec(), func(p *api.Params) { c.details(rt, typ, rest2, p) }},
		http.MethodPost: {updateSpec(), func(p *api.Params) { c.update(rt, typ, rest2, p) }},
	}
	switch rest2 {
	case "restore":
		routes[http.MethodPost] = adminEndpoint{restoreSpec(), func(p *api.Params) { c.restore(rt, typ, p) }}
	case "update_access_mode":
		routes[http.MethodPost] = adminEndpoint{updateAccessModeSpec(), func(p *api.Params) { c.updateAccessMode(rt, typ, p) }}
	}
	return routes, nil
}

// relatedRoutes routes /resources/related_assets/...
func (c *call) relatedRoutes(rest string) (adminRoutes, error) {
	var from func() (relatedSource, error)
	if isAssetID(rest) {
		from = func() (relatedSource, error) { return relatedSource{assetID: rest}, nil }
	} else {
		rtName, r1, _ := strings.Cut(rest, "/")
		typName, id, _ := strings.Cut(r1, "/")
		rt, ok := delivery.ParseResourceType(rtName)
		if !ok || id == "" {
			return nil, adminNotFound()
		}
		typ, ok := delivery.ParseDeliveryType(typName)
		if !ok || !isStoredType(typ) {
			return nil, api.BadRequest("Invalid type - %s (must be upload, private or authenticated)", api.Clip(typName))
		}
		from = func() (relatedSource, error) { return relatedSource{rt: rt, typ: typ, publicID: id}, nil }
	}
	return adminRoutes{
		http.MethodPost:   {relateSpec(), func(p *api.Params) { c.relate(from, true, p) }},
		http.MethodDelete: {unrelateSpec(), func(p *api.Params) { c.relate(from, false, p) }},
	}, nil
}

// isStoredType reports the delivery types assets are stored under.
func isStoredType(t delivery.DeliveryType) bool {
	return t == delivery.Upload || t == delivery.Private || t == delivery.Authenticated
}

// isMadeType reports the delivery types of what multi and sprite make
// (upload_tagged.go): the Admin API lists and shows them, destroy deletes
// them, but nothing is uploaded, renamed or tagged under them.
func isMadeType(t delivery.DeliveryType) bool {
	return t == delivery.Multi || t == delivery.Sprite
}

// isAssetID reports an asset ID's shape: 32 lower-case hex digits.
func isAssetID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// ping serves GET /ping.
func (c *call) ping(*api.Params) { c.ok(map[string]string{"status": "ok"}) }

// resourceTypes serves GET /resources: the resource types the cloud has.
func (c *call) resourceTypes(*api.Params) {
	rts, err := c.s.meta.ResourceTypes(c.ctx(), c.cloud)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	c.ok(map[string][]string{"resource_types": nonNil(rts)})
}

// listParams are the parameters every listing shares.
type listParams struct {
	max                                  int
	cursor                               string
	tags, context, moderations, metadata bool
	fields                               []string
	// total is the listing's total_count when it answers one
	// (resources/by_asset_folder); nil: none.
	total *int64
}

// Page sizes of listings.
const (
	defaultMaxResults = 10
	maxMaxResults     = 500
)

// parseListParams reads max_results (default 10, at most 500: larger
// values are lowered), next_cursor and the inclusion flags.
func parseListParams(p *api.Params, cursorKey string) (listParams, error) {
	var lp listParams
	var err error
	if lp.max, err = maxResults(p, defaultMaxResults, maxMaxResults); err != nil {
		return lp, err
	}
	lp.cursor = p.Get(cursorKey)
	for _, f := range []struct {
		dst *bool
		key string
	}{{&lp.tags, "tags"}, {&lp.context, "context"}, {&lp.moderations, "moderations"}, {&lp.metadata, "metadata"}} {
		if *f.dst, err = p.Bool(f.key, false); err != nil {
			return lp, err
		}
	}
	lp.fields = p.List("fields")
	return lp, nil
}

// maxResults reads max_results: def when absent or 0, at most most.
func maxResults(p *api.Params, def, most int) (int, error) {
	n, err := p.Int("max_results", def)
	switch {
	case err != nil:
		return 0, err
	case n < 0:
		return 0, api.BadRequest("Invalid value %s for parameter max_results - must be between 1 and %d", strconv.Itoa(n), most)
	case n == 0:
		return def, nil
	}
	return min(n, most), nil
}
