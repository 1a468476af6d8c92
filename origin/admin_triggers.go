package origin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Triggers (the Admin API's /triggers): a URL that receives every
// notification of an event type of the cloud, as if each call that makes
// one had named it in notification_url (webhooks.go). GET lists them
// (event_type filters), POST creates one, PUT /triggers/<id> changes its
// uri or event_type, DELETE /triggers/<id> deletes it.

// maxTriggersPerCloud bounds a cloud's triggers.
const maxTriggersPerCloud = 100

// triggerEventTypes are the event types a trigger may have: those this
// server notifies, and all of them.
var triggerEventTypes = []string{"all", notifyUpload, notifyDelete, notifyRename, notifyTags, notifyContext, notifyEager,
	notifyMulti, notifySprite, notifyExplode, notifyArchive}

// unsupportedEventTypes are Cloudinary's other event types: this server
// never sends them, so a trigger for one is refused by name.
var unsupportedEventTypes = []string{"access_control_changed", "bulk_refresh_auto_fetch", "create_folder",
	"delete_by_token", "delete_folder", "error", "info",
	"invalidate_custom_cdn", "moderation", "moderation_summary", "move", "move_or_rename_asset_folder",
	"publish", "related_assets", "report", "resource_display_name_changed", "resource_metadata_changed",
	"restore_asset_version", "proof_status_changed"}

// triggerJSON is a trigger as the Admin API answers it.
type triggerJSON struct {
	ID        string `json:"id"`
	URI       string `json:"uri"`
	EventType string `json:"event_type"`
	URIType   string `json:"uri_type"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func newTriggerJSON(t *meta.Trigger) triggerJSON {
	return triggerJSON{ID: t.ID, URI: t.URI, EventType: t.EventType, URIType: "webhook",
		CreatedAt: timeJSON(t.CreatedAt), UpdatedAt: timeJSON(t.UpdatedAt)}
}

// triggerRoutes routes /triggers and /triggers/<id>.
func (c *call) triggerRoutes(tail string) adminRoutes {
	if tail == "" {
		return adminRoutes{
			http.MethodGet:  {triggerListSpec(), c.listTriggers},
			http.MethodPost: {triggerWriteSpec(), c.createTrigger},
		}
	}
	return adminRoutes{
		http.MethodPut:    {triggerWriteSpec(), func(p *api.Params) { c.updateTrigger(tail, p) }},
		http.MethodDelete: {api.MethodParams{}, func(*api.Params) { c.deleteTrigger(tail) }},
	}
}

// listTriggers serves GET /triggers: every trigger of the cloud, oldest
// first, or those of event_type.
func (c *call) listTriggers(p *api.Params) {
	ev := p.Get("event_type")
	if ev != "" {
		if err := checkEventType(ev); err != nil {
			c.fail(err)
			return
		}
	}
	list, err := c.s.meta.Triggers(c.ctx(), c.cloud, ev)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Triggers []triggerJSON `json:"triggers"`
	}{Triggers: []triggerJSON{}}
	for _, t := range list {
		out.Triggers = append(out.Triggers, newTriggerJSON(&t))
	}
	c.ok(out)
}

// createTrigger serves POST /triggers: uri and event_type.
func (c *call) createTrigger(p *api.Params) {
	if err := checkAuthScheme(p); err != nil {
		c.fail(err)
		return
	}
	uri, err := webhookURL(p.Get("uri"), "uri")
	if err == nil && uri == "" {
		err = api.BadRequest("Missing required parameter - uri")
	}
	if err != nil {
		c.fail(err)
		return
	}
	ev := p.Get("event_type")
	if ev == "" {
		c.fail(api.BadRequest("Missing required parameter - event_type"))
		return
	}
	if err := checkEventType(ev); err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	t := &meta.Trigger{Cloud: c.cloud, ID: meta.RandomHex(16), URI: uri, EventType: ev, CreatedAt: now, UpdatedAt: now}
	if err := c.s.meta.CreateTrigger(c.ctx(), t, maxTriggersPerCloud); err != nil {
		c.fail(triggerErr(err, t))
		return
	}
	c.ok(newTriggerJSON(t))
}

// updateTrigger serves PUT /triggers/<id>: a new uri, event_type or both.
func (c *call) updateTrigger(id string, p *api.Params) {
	if err := checkAuthScheme(p); err != nil {
		c.fail(err)
		return
	}
	uri, err := webhookURL(p.Get("uri"), "uri")
	if err != nil {
		c.fail(err)
		return
	}
	ev := p.Get("event_type")
	if ev != "" {
		if err := checkEventType(ev); err != nil {
			c.fail(err)
			return
		}
	}
	var changed meta.Trigger
	t, err := c.s.meta.UpdateTrigger(c.ctx(), c.cloud, id, func(t *meta.Trigger) error {
		if uri != "" {
			t.URI = uri
		}
		if ev != "" {
			t.EventType = ev
		}
		t.UpdatedAt = c.s.now().UTC()
		changed = *t
		return nil
	})
	if err != nil {
		changed.ID = id
		c.fail(triggerErr(err, &changed))
		return
	}
	c.ok(newTriggerJSON(t))
}

// deleteTrigger serves DELETE /triggers/<id>.
func (c *call) deleteTrigger(id string) {
	if err := c.s.meta.DeleteTrigger(c.ctx(), c.cloud, id); err != nil {
		c.fail(triggerErr(err, &meta.Trigger{ID: id}))
		return
	}
	c.ok(map[string]string{"message": "ok"})
}

// triggerErr answers a store error about trigger t.
func triggerErr(err error, t *meta.Trigger) error {
	switch {
	case isNotFound(err):
		return delivery.Errorf(http.StatusNotFound, "Trigger %s not found", api.Clip(t.ID))
	case errors.Is(err, meta.ErrExists):
		return delivery.Errorf(http.StatusConflict, "Trigger for uri %s and event_type %s already exists",
			api.Clip(t.URI), t.EventType)
	case errors.Is(err, meta.ErrTooMany):
		return api.BadRequest("Too many triggers - at most %d per cloud", maxTriggersPerCloud)
	}
	return delivery.Internal(err)
}

// checkEventType refuses an event type this server does not notify: by
// name when it is one of Cloudinary's, else as invalid.
func checkEventType(ev string) error {
	switch {
	case slices.Contains(triggerEventTypes, ev):
		return nil
	case slices.Contains(unsupportedEventTypes, ev):
		return api.BadRequest("Event type %s is not supported by this server", ev)
	}
	return api.BadRequest("Invalid event_type - %s", api.Clip(ev))
}

// checkAuthScheme accepts auth_scheme default (X-Cld-Signature, the only
// signature this server sends) and refuses the others by name.
func checkAuthScheme(p *api.Params) error {
	if s := p.Get("auth_scheme"); s != "" && s != "default" {
		return api.BadRequest("Parameter auth_scheme=%s is not supported by this server (only default)", api.Clip(s))
	}
	return nil
}
