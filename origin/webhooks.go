package origin

import (
	"cmp"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Webhooks (notification_url on upload, explicit, rename, destroy, tags,
// context and the Admin API's deletes and update, and the cloud's
// triggers): the body Cloudinary sends for the change, written to the metadata
// store's outbox in the change's own transaction (meta.WithNotify) and
// sent by the worker (webhooks_worker.go), signed as Cloudinary signs
// (signWebhook). docs/webhooks.md describes what is sent and when.

// Notification types (and the event types of triggers).
const (
	notifyUpload  = "upload"
	notifyRename  = "rename"
	notifyDelete  = "delete"
	notifyTags    = "resource_tags_changed"
	notifyContext = "resource_context_changed"
)

// notificationHead is what every notification starts with.
type notificationHead struct {
	NotificationType string `json:"notification_type"`
	Timestamp        string `json:"timestamp"`
	RequestID        string `json:"request_id"`
}

// notificationTail is what every notification ends with: who caused it,
// and the API key whose secret signs it.
type notificationTail struct {
	NotificationContext notificationContext `json:"notification_context"`
	SignatureKey        string              `json:"signature_key"`
}

type notificationContext struct {
	TriggeredAt string            `json:"triggered_at"`
	TriggeredBy map[string]string `json:"triggered_by"`
}

// uploadNotification is an upload's (and explicit's): the asset as the
// Upload API answers it.
type uploadNotification struct {
	notificationHead
	assetJSON
	notificationTail
}

// renameNotification is a rename's.
type renameNotification struct {
	notificationHead
	AssetID      string `json:"asset_id"`
	FromPublicID string `json:"from_public_id"`
	ToPublicID   string `json:"to_public_id"`
	FromType     string `json:"from_type,omitempty"`
	ToType       string `json:"to_type,omitempty"`
	ResourceType string `json:"resource_type"`
	Type         string `json:"type"`
	Version      int64  `json:"version"`
	AssetFolder  string `json:"asset_folder"`
	DisplayName  string `json:"display_name"`
	notificationTail
}

// deleteNotification is a destroy's: the resources deleted.
type deleteNotification struct {
	notificationHead
	Resources []deletedJSON `json:"resources"`
	notificationTail
}

type deletedJSON struct {
	ResourceType string `json:"resource_type"`
	Type         string `json:"type"`
	AssetID      string `json:"asset_id"`
	PublicID     string `json:"public_id"`
	Version      int64  `json:"version"`
	AssetFolder  string `json:"asset_folder"`
	DisplayName  string `json:"display_name"`
}

// tagsNotification is a tags call's (and an Admin update's that changes
// tags): what one asset's tags gained and lost.
type tagsNotification struct {
	notificationHead
	Source    string            `json:"source"`
	Resources []tagsChangedJSON `json:"resources"`
	notificationTail
}

type tagsChangedJSON struct {
	AssetID      string   `json:"asset_id"`
	PublicID     string   `json:"public_id"`
	ResourceType string   `json:"resource_type"`
	Type         string   `json:"type"`
	Added        []string `json:"added,omitempty"`
	Removed      []string `json:"removed,omitempty"`
}

// contextNotification is a context call's (and an Admin update's that
// changes context): one asset's keys added, removed and updated, under its
// public ID.
type contextNotification struct {
	notificationHead
	Source    string                        `json:"source"`
	Resources map[string]contextChangedJSON `json:"resources"`
	notificationTail
}

type contextChangedJSON struct {
	AssetID      string         `json:"asset_id"`
	ResourceType string         `json:"resource_type"`
	Type         string         `json:"type"`
	Added        []contextEntry `json:"added,omitempty"`
	Removed      []contextEntry `json:"removed,omitempty"`
	Updated      []contextEntry `json:"updated,omitempty"`
}

type contextEntry struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// tagsBody is the notification of a change of a's tags from those of
// prev; nil when they did not change.
func tagsBody(prev *meta.Asset) func(*meta.Asset, notificationHead, notificationTail) any {
	return func(a *meta.Asset, head notificationHead, tail notificationTail) any {
		r := tagsChangedJSON{AssetID: a.AssetID, PublicID: a.PublicID, ResourceType: a.ResourceType.String(), Type: a.Type.String()}
		for _, t := range a.Tags {
			if !slices.Contains(prev.Tags, t) {
				r.Added = append(r.Added, t)
			}
		}
		for _, t := range prev.Tags {
			if !slices.Contains(a.Tags, t) {
				r.Removed = append(r.Removed, t)
			}
		}
		if len(r.Added) == 0 && len(r.Removed) == 0 {
			return nil
		}
		return tagsNotification{notificationHead: head, notificationTail: tail, Source: "api", Resources: []tagsChangedJSON{r}}
	}
}

// contextBody is the notification of a change of a's context from that
// of prev; nil when it did not change.
func contextBody(prev *meta.Asset) func(*meta.Asset, notificationHead, notificationTail) any {
	return func(a *meta.Asset, head notificationHead, tail notificationTail) any {
		r := contextChangedJSON{AssetID: a.AssetID, ResourceType: a.ResourceType.String(), Type: a.Type.String()}
		for _, k := range slices.Sorted(maps.Keys(a.Context)) {
			old, had := prev.Context[k]
			switch {
			case !had:
				r.Added = append(r.Added, contextEntry{k, a.Context[k]})
			case old != a.Context[k]:
				r.Updated = append(r.Updated, contextEntry{k, a.Context[k]})
			}
		}
		for _, k := range slices.Sorted(maps.Keys(prev.Context)) {
			if _, ok := a.Context[k]; !ok {
				r.Removed = append(r.Removed, contextEntry{k, prev.Context[k]})
			}
		}
		if len(r.Added)+len(r.Removed)+len(r.Updated) == 0 {
			return nil
		}
		return contextNotification{notificationHead: head, notificationTail: tail, Source: "api",
			Resources: map[string]contextChangedJSON{a.PublicID: r}}
	}
}

// maxWebhookURLLength bounds a notification_url or a trigger's uri.
const maxWebhookURLLength = 2048

// notificationURL reads the notification_url parameter: "" when absent,
// else an absolute http(s) URL (webhookURL).
func notificationURL(p *api.Params) (string, error) {
	return webhookURL(p.Get("notification_url"), "notification_url")
}

// webhookURL checks a URL parameter notifications are sent to: "" when
// absent, else an absolute http(s) URL of at most maxWebhookURLLength
// bytes (where it may be sent is checked when it is sent:
// fetch.allow_networks).
func webhookURL(raw, name string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > maxWebhookURLLength {
		return "", api.BadRequest("Invalid %s - %s", name, api.Clip(raw))
	}
	return raw, nil
}

// withWebhook returns the request's context with the notifications of
// type kind (unchanged when there are none): one to notification_url and
// one to each trigger of the cloud for kind (admin_triggers.go), a URL
// named twice notified once. The store's write under it also writes the
// body body makes of the asset the change leaves, in the same
// transaction (none when body answers nil). Its signature uses SHA-256
// when the call was signed with signature_algorithm=sha256, else SHA-1.
func (c *call) withWebhook(p *api.Params, kind string, body func(*meta.Asset, notificationHead, notificationTail) any) (context.Context, error) {
	w, err := c.webhookTargets(p, kind)
	if err != nil || w == nil {
		return c.ctx(), err
	}
	return meta.WithNotify(c.ctx(), func(a *meta.Asset) ([]*meta.Notification, error) {
		head, tail := w.frame()
		return w.notifications(a.PublicID, body(a, head, tail))
	}), nil
}

// withDeletedWebhook is withWebhook for a bulk deletion: one delete
// notification of the assets whose originals it deleted.
func (c *call) withDeletedWebhook(p *api.Params) (context.Context, error) {
	w, err := c.webhookTargets(p, notifyDelete)
	if err != nil || w == nil {
		return c.ctx(), err
	}
	return meta.WithNotifyDeleted(c.ctx(), func(gone []meta.DeletedAsset) ([]*meta.Notification, error) {
		head, tail := w.frame()
		n := deleteNotification{notificationHead: head, notificationTail: tail}
		for _, d := range gone {
			n.Resources = append(n.Resources, deletedJSON{ResourceType: d.ResourceType.String(), Type: d.Type.String(),
				AssetID: d.AssetID, PublicID: d.PublicID, Version: d.Version, AssetFolder: d.AssetFolder,
				DisplayName: d.DisplayName})
		}
		return w.notifications("", n)
	}), nil
}

// withChangeWebhooks is withWebhook for an Admin API update: a
// resource_tags_changed notification when it changed the tags of prev
// (the asset as it was: the update's own function sets it), a
// resource_context_changed one when it changed the context.
func (c *call) withChangeWebhooks(p *api.Params, prev *meta.Asset) (context.Context, error) {
	type kind struct {
		w    *webhook
		body func(*meta.Asset, notificationHead, notificationTail) any
	}
	kinds := []kind{{body: tagsBody(prev)}, {body: contextBody(prev)}}
	var err error
	if kinds[0].w, err = c.webhookTargets(p, notifyTags); err != nil {
		return c.ctx(), err
	}
	if kinds[1].w, err = c.webhookTargets(p, notifyContext); err != nil {
		return c.ctx(), err
	}
	if kinds[0].w == nil && kinds[1].w == nil {
		return c.ctx(), nil
	}
	if kinds[0].w != nil && kinds[1].w != nil {
		kinds[1].w.requestID = kinds[0].w.requestID // one call
	}
	return meta.WithNotify(c.ctx(), func(a *meta.Asset) ([]*meta.Notification, error) {
		var out []*meta.Notification
		for _, k := range kinds {
			if k.w == nil {
				continue
			}
			head, tail := k.w.frame()
			list, err := k.w.notifications(a.PublicID+"\x00"+k.w.kind, k.body(a, head, tail))
			if err != nil {
				return nil, err
			}
			out = append(out, list...)
		}
		return out, nil
	}), nil
}

// webhook is one call's notifications of one kind: where they go and how
// they are signed.
type webhook struct {
	c         *call
	kind      string
	urls      []string
	alg       string
	requestID string
}

// webhookTargets reads notification_url and finds the cloud's triggers
// for kind; nil when there is nowhere to send the notification.
func (c *call) webhookTargets(p *api.Params, kind string) (*webhook, error) {
	to, err := notificationURL(p)
	if err != nil {
		return nil, err
	}
	uris, err := c.s.meta.TriggerURIs(c.ctx(), c.cloud, kind)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	var urls []string
	for _, u := range append([]string{to}, uris...) {
		if u != "" && !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return nil, nil
	}
	alg := "sha1"
	if p.Get("signature_algorithm") == "sha256" || len(p.Get("signature")) == 64 {
		alg = "sha256"
	}
	return &webhook{c: c, kind: kind, urls: urls, alg: alg, requestID: meta.RandomHex(16)}, nil
}

// frame is what a notification starts and ends with, as of now.
func (w *webhook) frame() (notificationHead, notificationTail) {
	now := timeJSON(w.c.s.now())
	return notificationHead{NotificationType: w.kind, Timestamp: now, RequestID: w.requestID},
		notificationTail{SignatureKey: w.c.cl.APIKey, NotificationContext: notificationContext{
			TriggeredAt: now, TriggeredBy: map[string]string{"source": "api", "id": w.c.cl.APIKey}}}
}

// notifications are body's, one per URL (none when body is nil, or too
// large: then it is dropped and counted), the change of asset key's: the
// call keeps them to report their IDs (reportNotified), those of a
// transaction run again replaced.
func (w *webhook) notifications(key string, body any) ([]*meta.Notification, error) {
	delete(w.c.notified, key)
	if body == nil {
		return nil, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	c, cfg := w.c, w.c.s.cfg.Webhooks
	if len(b) > int(cfg.MaxBodySize) {
		c.s.webhooks.dropped.Add(int64(len(w.urls)))
		c.s.log.Warn("webhook dropped: body too large", "cloud", c.cloud, "bytes", len(b))
		return nil, nil
	}
	out := make([]*meta.Notification, 0, len(w.urls))
	defer func() {
		if c.notified == nil {
			c.notified = map[string][]*meta.Notification{}
		}
		c.notified[key] = out
	}()
	for _, u := range w.urls {
		out = append(out, &meta.Notification{Cloud: c.cloud, URL: u, Body: b, Algorithm: w.alg, RetryFor: cfg.RetryFor,
			MaxPending: cfg.MaxPendingPerCloud, Dropped: func() {
				c.s.webhooks.dropped.Add(1)
				c.s.log.Warn("webhook dropped: too many pending", "cloud", c.cloud)
			}})
	}
	return out, nil
}

// uploadBody is an upload's or explicit's notification.
func (c *call) uploadBody(a *meta.Asset, head notificationHead, tail notificationTail) any {
	return uploadNotification{notificationHead: head, assetJSON: c.assetResponse(a), notificationTail: tail}
}

// deleteBody is a destroy's notification.
func deleteBody(a *meta.Asset, head notificationHead, tail notificationTail) any {
	return deleteNotification{notificationHead: head, notificationTail: tail, Resources: []deletedJSON{{
		ResourceType: a.ResourceType.String(), Type: a.Type.String(), AssetID: a.AssetID, PublicID: a.PublicID,
		Version: a.Version, AssetFolder: a.AssetFolder, DisplayName: a.DisplayName}}}
}

// renameBody is a rename's notification from from (a is the renamed
// asset).
func renameBody(from meta.Key) func(*meta.Asset, notificationHead, notificationTail) any {
	return func(a *meta.Asset, head notificationHead, tail notificationTail) any {
		n := renameNotification{notificationHead: head, notificationTail: tail, AssetID: a.AssetID,
			FromPublicID: from.PublicID, ToPublicID: a.PublicID, ResourceType: a.ResourceType.String(),
			Type: a.Type.String(), Version: a.Version, AssetFolder: a.AssetFolder, DisplayName: a.DisplayName}
		if from.Type != a.Type {
			n.FromType, n.ToType = from.Type.String(), a.Type.String()
		}
		return n
	}
}

// maxReportedNotifications bounds the IDs X-Notification-Ids reports.
const maxReportedNotifications = 100

// reportNotified sets X-Notification-Ids on the call's answer: the IDs of
// the notifications its change wrote (GET notifications/<id>), in the
// order written, each checked to be in the store (a transaction rolled
// back leaves none). None when there are more than
// maxReportedNotifications: the listing has them.
func (c *call) reportNotified() {
	var ids []string
	total := 0
	for _, list := range c.notified {
		total += len(list)
	}
	if total == 0 || total > maxReportedNotifications {
		return
	}
	var all []*meta.Notification
	for _, list := range c.notified {
		all = append(all, list...)
	}
	slices.SortFunc(all, func(a, b *meta.Notification) int { return cmp.Compare(a.ID, b.ID) })
	for _, n := range all {
		if n.ID == 0 {
			continue // dropped: a bound
		}
		if _, err := c.s.meta.Notification(c.ctx(), c.cloud, n.ID); err == nil {
			ids = append(ids, strconv.FormatInt(n.ID, 10))
		}
	}
	if len(ids) > 0 {
		c.w.Header().Set("X-Notification-Ids", strings.Join(ids, ","))
	}
}

// signWebhook is X-Cld-Signature: the hex SHA-1 (or SHA-256) of the body,
// the X-Cld-Timestamp value and the API secret, concatenated.
func signWebhook(body []byte, timestamp, secret, alg string) string {
	data := append(append(append([]byte{}, body...), timestamp...), secret...)
	if alg == "sha256" {
		h := sha256.Sum256(data)
		return hex.EncodeToString(h[:])
	}
	h := sha1.Sum(data)
	return hex.EncodeToString(h[:])
}

// webhookBackoff is the wait after a notification's attempts-th failure:
// min doubled each time, at most max.
func webhookBackoff(cfg Webhooks, attempts int) time.Duration {
	d := cfg.MinBackoff
	for range attempts - 1 {
		if d >= cfg.MaxBackoff/2 {
			return cfg.MaxBackoff
		}
		d *= 2
	}
	return min(d, cfg.MaxBackoff)
}
