package origin

import (
	"net/http"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxWait bounds the wait parameter of mutating calls.
const maxWait = 60 * time.Second

// report is the invalidation field of a mutating call's response. With
// wait=<milliseconds> it answers only once every live edge has applied the
// purge, or the time ran out (status "pending").
func (c *call) report(p *api.Params, inv Invalidation) *InvalidationStatus {
	if inv.ID == "" {
		return nil
	}
	if c.s.purger == nil {
		return &InvalidationStatus{ID: inv.ID, Sequence: inv.Seq, Status: "published"}
	}
	ms, _ := p.Int("wait", 0)
	d := min(time.Duration(max(ms, 0))*time.Millisecond, maxWait)
	st := c.s.purger.Wait(c.ctx(), inv, d)
	return &st
}

// maxInvalidationBody bounds an invalidation request's body.
const maxInvalidationBody = 64 << 10

// routeInvalidations serves our extension of the API:
//
//	GET  /v1_1/<cloud>/invalidations/<id>  how many live edges applied it
//	POST /v1_1/<cloud>/invalidations       purge by public_id, prefix,
//	                                       transformation (named) or all
func (c *call) routeInvalidations(rest string) bool {
	id, isInv := strings.CutPrefix(rest, "invalidations")
	if !isInv || id != "" && id[0] != '/' {
		return false
	}
	id = strings.TrimPrefix(id, "/")
	// An invalidation's parameters are a few short fields: a larger body
	// is refused before anything else is read, credentials or not.
	p, err := api.ReadParams(c.w, c.r, maxInvalidationBody)
	if err != nil {
		c.fail(err)
		return true
	}
	if err := api.Authenticate(c.r, c.cl, p, c.s.now()); err != nil {
		c.fail(err)
		return true
	}
	if c.s.purger == nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable, "Invalidations need NATS: this origin has none configured"))
		return true
	}
	switch {
	case c.r.Method == http.MethodGet && id != "":
		st, ok := c.s.purger.Status(id)
		if !ok {
			c.fail(delivery.Errorf(http.StatusNotFound, "Invalidation not found - %s", api.Clip(id)))
			return true
		}
		c.ok(st)
	case c.r.Method == http.MethodPost && id == "":
		c.invalidate(p)
	default:
		c.w.Header().Set("Allow", "GET, POST")
		c.fail(delivery.Errorf(http.StatusMethodNotAllowed, "Method not allowed"))
	}
	return true
}

// invalidate publishes an operator's purge (mediacdn purge).
func (c *call) invalidate(p *api.Params) {
	rt, typ := delivery.Image, delivery.Upload
	if v := p.Get("resource_type"); v != "" {
		var ok bool
		if rt, ok = delivery.ParseResourceType(v); !ok {
			c.fail(api.BadRequest("Invalid resource_type - %s", api.Clip(v)))
			return
		}
	}
	if v := p.Get("type"); v != "" {
		var ok bool
		if typ, ok = delivery.ParseDeliveryType(v); !ok {
			c.fail(api.BadRequest("Invalid type - %s", api.Clip(v)))
			return
		}
	}
	all, err := p.Bool("all", false)
	if err != nil {
		c.fail(err)
		return
	}
	ev := Event{Kind: EventInvalidated, Asset: meta.Key{Cloud: c.cloud, ResourceType: rt, Type: typ},
		Invalidate: true, Time: c.s.now()}
	switch {
	case p.Get("public_id") != "":
		ev.Asset.PublicID = p.Get("public_id")
	case p.Has("prefix"):
		ev.Prefix = p.Get("prefix")
	case p.Get("transformation") != "":
		ev.Named = p.Get("transformation")
	case all:
		ev.All = true
	default:
		c.fail(api.BadRequest("Missing required parameter - one of public_id, prefix, transformation or all=true"))
		return
	}
	if err := checkRules(ev, c.cl); err != nil {
		c.fail(api.BadRequest("%s", err.Error()))
		return
	}
	inv, err := c.s.events.Emit(c.ctx(), ev)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable, "The invalidation could not be published - retry the request"))
		return
	}
	c.ok(c.report(p, inv))
}
