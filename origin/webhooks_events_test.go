package origin_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

// set_exclusive notifies resource_tags_changed for each asset whose tags
// it changed: the assets named that gain the tag, and the others that
// lose it; an asset named that had it already notifies nothing.
func TestWebhooksOfSetExclusive(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv, hookURL := hookServer(t, o, 0)
	for _, id := range []string{"x1", "x2", "x3"} {
		uploadAs(t, o, "rocket.jpg", id)
	}
	signedPost(t, o, "/image/tags", url.Values{"command": {"add"}, "tag": {"hero"}, "public_ids": {"x1,x2"}})
	signedPost(t, o, "/image/tags", url.Values{"command": {"set_exclusive"}, "tag": {"hero"}, "public_ids": {"x2,x3"},
		"notification_url": {hookURL + "/exclusive"}})
	waitDelivered(t, o.Store.Meta, 2)
	var got []string
	for _, h := range rcv.hooks() {
		res, _ := h.body["resources"].([]any)
		if h.body["notification_type"] != "resource_tags_changed" || h.body["source"] != "api" || len(res) != 1 {
			t.Fatalf("set_exclusive webhook %s", h.raw)
		}
		r := res[0].(map[string]any)
		if r["asset_id"] == "" || r["resource_type"] != "image" || r["type"] != "upload" {
			t.Errorf("set_exclusive webhook resource %v", r)
		}
		got = append(got, fmt.Sprintf("%v+%v-%v", r["public_id"], r["added"], r["removed"]))
	}
	if slices.Sort(got); fmt.Sprint(got) != "[x1+<nil>-[hero] x3+[hero]-<nil>]" {
		t.Errorf("set_exclusive webhooks %v", got)
	}
}
