package origin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Notifications (a mediacdn extension of the Admin API, which Cloudinary
// does not have): what became of each webhook of the cloud (webhooks.go).
// GET /notifications lists them newest first (state pending, delivered or
// failed filters; max_results, next_cursor), GET /notifications/<id> gets
// one. They are kept webhooks.keep_for after they were delivered or
// failed.

// notificationJSON is a notification as the Admin API answers it: never
// its body, which may be large, but its type.
type notificationJSON struct {
	ID               string `json:"id"`
	URL              string `json:"url"`
	NotificationType string `json:"notification_type"`
	State            string `json:"state"`
	Attempts         int    `json:"attempts"`
	LastError        string `json:"last_error,omitempty"`
	CreatedAt        string `json:"created_at"`
	NextAttemptAt    string `json:"next_attempt_at,omitempty"`
	DeliveredAt      string `json:"delivered_at,omitempty"`
	FailedAt         string `json:"failed_at,omitempty"`
}

func newNotificationJSON(n *meta.Notification) notificationJSON {
	var head notificationHead
	json.Unmarshal(n.Body, &head) // written by webhooks.go: it parses
	j := notificationJSON{ID: strconv.FormatInt(n.ID, 10), URL: n.URL, NotificationType: head.NotificationType,
		State: n.State, Attempts: n.Attempts, LastError: strings.TrimPrefix(n.LastError, "remote: "),
		CreatedAt: timeJSON(n.CreatedAt)}
	switch n.State {
	case meta.NotificationPending:
		j.NextAttemptAt = timeJSON(n.NextAttempt)
	case meta.NotificationDelivered:
		j.DeliveredAt = timeJSON(n.UpdatedAt)
	case meta.NotificationFailed:
		j.FailedAt = timeJSON(n.UpdatedAt)
	}
	return j
}

// notificationRoutes routes /notifications and /notifications/<id>.
func (c *call) notificationRoutes(tail string) adminRoutes {
	if tail == "" {
		return adminRoutes{http.MethodGet: {notificationListSpec(), c.listNotifications}}
	}
	return adminRoutes{http.MethodGet: {api.MethodParams{}, func(*api.Params) { c.getNotification(tail) }}}
}

// listNotifications serves GET /notifications.
func (c *call) listNotifications(p *api.Params) {
	state := p.Get("state")
	switch state {
	case "", meta.NotificationPending, meta.NotificationDelivered, meta.NotificationFailed:
	default:
		c.fail(api.BadRequest("Invalid state - %s (must be pending, delivered or failed)", api.Clip(state)))
		return
	}
	max, err := maxResults(p, defaultMaxResults, maxMaxResults)
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(p.Get("next_cursor"), "notifications")
	if err != nil {
		c.fail(err)
		return
	}
	var before int64
	if cur != nil {
		before = cur.Seq
	}
	list, err := c.s.meta.NotificationsPage(c.ctx(), c.cloud, state, before, max+1)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Notifications []notificationJSON `json:"notifications"`
		NextCursor    string             `json:"next_cursor,omitempty"`
	}{Notifications: []notificationJSON{}}
	for i, n := range list {
		if i == max {
			out.NextCursor = api.Cursor{Kind: "notifications", Seq: list[i-1].ID}.Encode()
			break
		}
		out.Notifications = append(out.Notifications, newNotificationJSON(&n))
	}
	c.ok(out)
}

// getNotification serves GET /notifications/<id>.
func (c *call) getNotification(id string) {
	notFound := delivery.Errorf(http.StatusNotFound, "Notification %s not found", api.Clip(id))
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		c.fail(notFound)
		return
	}
	got, err := c.s.meta.Notification(c.ctx(), c.cloud, n)
	switch {
	case isNotFound(err):
		c.fail(notFound)
	case err != nil:
		c.fail(delivery.Internal(err))
	default:
		c.ok(newNotificationJSON(got))
	}
}
