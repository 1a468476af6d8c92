package origin

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"time"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Webhooks (notification_url on upload, explicit, rename and destroy):
// the body Cloudinary sends for the change, written to the metadata
// store's outbox in the change's own transaction (meta.WithNotify) and
// sent by the worker (webhooks_worker.go), signed as Cloudinary signs
// (signWebhook). docs/webhooks.md describes what is sent and when.

// Notification types.
const (
	notifyUpload = "upload"
	notifyRename = "rename"
	notifyDelete = "delete"
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

// notificationURL reads the notification_url parameter: "" when absent,
// else an absolute http(s) URL (where it may be sent is checked when it is
// sent: fetch.allow_networks).
func notificationURL(p *api.Params) (string, error) {
	raw := p.Get("notification_url")
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", api.BadRequest("Invalid notification_url - %s", api.Clip(raw))
	}
	return raw, nil
}

// withWebhook returns the request's context with the notification of
// type kind for notification_url (unchanged when there is none): the
// store's write under it also writes the body body makes of the asset the
// change leaves, in the same transaction. Its signature uses SHA-256 when
// the call was signed with signature_algorithm=sha256, else SHA-1.
func (c *call) withWebhook(p *api.Params, kind string, body func(*meta.Asset, notificationHead, notificationTail) any) (context.Context, error) {
	to, err := notificationURL(p)
	if err != nil || to == "" {
		return c.ctx(), err
	}
	alg := "sha1"
	if p.Get("signature_algorithm") == "sha256" || len(p.Get("signature")) == 64 {
		alg = "sha256"
	}
	requestID := api.RandomHex(16)
	cfg := c.s.cfg.Webhooks
	return meta.WithNotify(c.ctx(), func(a *meta.Asset) (*meta.Notification, error) {
		now := timeJSON(c.s.now())
		head := notificationHead{NotificationType: kind, Timestamp: now, RequestID: requestID}
		tail := notificationTail{SignatureKey: c.cl.APIKey, NotificationContext: notificationContext{
			TriggeredAt: now, TriggeredBy: map[string]string{"source": "api", "id": c.cl.APIKey}}}
		b, err := json.Marshal(body(a, head, tail))
		if err != nil {
			return nil, err
		}
		if len(b) > int(cfg.MaxBodySize) {
			c.s.webhooks.dropped.Add(1)
			c.s.log.Warn("webhook dropped: body too large", "cloud", c.cloud, "bytes", len(b))
			return nil, nil
		}
		return &meta.Notification{Cloud: c.cloud, URL: to, Body: b, Algorithm: alg, RetryFor: cfg.RetryFor,
			MaxPending: cfg.MaxPendingPerCloud, Dropped: func() {
				c.s.webhooks.dropped.Add(1)
				c.s.log.Warn("webhook dropped: too many pending", "cloud", c.cloud)
			}}, nil
	}), nil
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
