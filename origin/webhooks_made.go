package origin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The notifications of what multi, sprite, explode and generate_archive
// make (notification_url, and the cloud's triggers of the method's event
// type): the method's answer, with the notification's head and tail. A
// stored result (multi's animation, sprite's files, an archive made with
// mode=create) writes it in the transaction that stores it; explode, which
// stores no asset, writes it once its pages are made. docs/webhooks.md
// describes them.

// Notification types of the methods that make files.
const (
	notifyMulti   = "multi"
	notifySprite  = "sprite"
	notifyExplode = "explode"
	notifyArchive = "generate_archive"
)

// madeNotification is a method's answer (a JSON object) as its
// notification: its fields between the head's and the tail's.
type madeNotification struct {
	head   notificationHead
	answer any
	tail   notificationTail
}

// MarshalJSON writes the head's, the answer's and the tail's fields as one
// object.
func (n madeNotification) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	for _, part := range []any{n.head, n.answer, n.tail} {
		b, err := json.Marshal(part)
		if err != nil {
			return nil, err
		}
		if len(b) < 2 || b[0] != '{' {
			return nil, fmt.Errorf("webhook: %T is not a JSON object", part)
		}
		if inner := b[1 : len(b)-1]; len(inner) > 0 {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = append(out, inner...)
		}
	}
	return append(out, '}'), nil
}

// withMadeWebhook returns ctx with the notification of w (unchanged when w
// is nil) written by the store's Put under it: answer makes the method's
// answer of the stored asset.
func withMadeWebhook(ctx context.Context, w *webhook, answer func(*meta.Asset) any) context.Context {
	if w == nil {
		return ctx
	}
	return meta.WithNotify(ctx, func(a *meta.Asset) ([]*meta.Notification, error) {
		head, tail := w.frame()
		return w.notifications(a.PublicID, madeNotification{head, answer(a), tail})
	})
}

// notifyMade writes the notification of w (none when w is nil) of a
// method that stored nothing, on its own, once its work is done.
func notifyMade(c *call, w *webhook, key string, answer any) error {
	if w == nil {
		return nil
	}
	head, tail := w.frame()
	list, err := w.notifications(key, madeNotification{head, answer, tail})
	if err != nil {
		return delivery.Internal(err)
	}
	for _, n := range list {
		if err := c.s.meta.EnqueueNotification(c.ctx(), n); err != nil {
			return delivery.Internal(err)
		}
	}
	c.s.webhooks.wake()
	return nil
}

// madeWebhook is webhookTargets for a method that makes a file: nil (no
// notification) when mode=download answers the file rather than storing
// it.
func (c *call) madeWebhook(p *api.Params, kind string, download bool) (*webhook, error) {
	if download {
		if p.Has("notification_url") {
			return nil, api.BadRequest("notification_url is not supported with mode=download (nothing is stored)")
		}
		return nil, nil
	}
	return c.webhookTargets(p, kind)
}
