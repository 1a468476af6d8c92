package origin_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
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

// delete_by_token (unsigned, with no notification_url of its own) sends
// the delete notification to the cloud's delete triggers, as destroy does.
func TestWebhooksOfDeleteByToken(t *testing.T) {
	o := startOrigin(t, webhookConfig)
	rcv, hookURL := hookServer(t, o, 0)
	createTrigger(t, o, hookURL+"/del", "delete")
	up, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "rocket.jpg"), uploader.UploadParams{
		PublicID: "tokened", ReturnDeleteToken: api.Bool(true)})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	token, _ := (*up.Response.(*map[string]any))["delete_token"].(string) // the SDK's result has no field for it
	status, body := post(t, o.URL+"/v1_1/demo/delete_by_token", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"token": {token}}.Encode()), false)
	if status != 200 {
		t.Fatalf("delete_by_token: %d %s", status, body)
	}
	h := rcv.waitHooks(1)[0]
	res, _ := h.body["resources"].([]any)
	if h.body["notification_type"] != "delete" || len(res) != 1 {
		t.Fatalf("delete_by_token webhook %s", h.raw)
	}
	if r := res[0].(map[string]any); r["public_id"] != "tokened" || r["asset_id"] != up.AssetID || r["type"] != "upload" {
		t.Errorf("delete_by_token webhook resource %v", r)
	}
}
