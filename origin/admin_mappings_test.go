package origin_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api/admin"
)

// Upload mappings through the Go SDK: created once per folder, listed in
// pages by folder, got, updated and deleted by folder, with Cloudinary's
// answers and messages.
func TestUploadMappingsAdminSDK(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	adm := o.Cld.Admin
	cr, err := adm.CreateUploadMapping(ctx, admin.CreateUploadMappingParams{Folder: "wiki", Template: "https://upload.wikimedia.org/wikipedia/"})
	if msg := sdkFailure(err, cr); msg != "" || cr.Message != "created" || cr.Folder != "wiki" {
		t.Fatalf("create: %s %+v", msg, cr)
	}
	dup, err := adm.CreateUploadMapping(ctx, admin.CreateUploadMappingParams{Folder: "wiki", Template: "https://other.test/"})
	if err != nil || dup.Error.Message != "Upload mapping for folder wiki already exists" {
		t.Fatalf("duplicate: %+v %v", dup, err)
	}
	if a := adminDo(t, o, http.MethodPost, "upload_mappings", "application/x-www-form-urlencoded",
		"folder=wiki&template=https://other.test/"); a.status != http.StatusConflict {
		t.Fatalf("duplicate status %d", a.status)
	}
	for _, f := range []string{"/shop/", "a/b", "Zed"} { // slashes around a folder are dropped
		if r, err := adm.CreateUploadMapping(ctx, admin.CreateUploadMappingParams{Folder: f, Template: "http://img.test/" + f}); sdkFailure(err, r) != "" {
			t.Fatalf("create %s: %s", f, sdkFailure(err, r))
		}
	}
	page, err := adm.ListUploadMappings(ctx, admin.ListUploadMappingsParams{MaxResults: 3})
	if msg := sdkFailure(err, page); msg != "" || len(page.Mappings) != 3 || page.Mappings[0].Folder != "Zed" ||
		page.Mappings[1].Folder != "a/b" || page.Mappings[2] != (admin.UploadMapping{Folder: "shop", Template: "http://img.test//shop/"}) {
		t.Fatalf("first page: %s %+v", msg, page)
	}
	raw := adminGet(t, o, "upload_mappings?max_results=3")
	cursor, _ := raw.body["next_cursor"].(string)
	if cursor == "" {
		t.Fatalf("no next_cursor: %s", raw.raw)
	}
	page, err = adm.ListUploadMappings(ctx, admin.ListUploadMappingsParams{MaxResults: 3, NextCursor: cursor})
	if msg := sdkFailure(err, page); msg != "" || len(page.Mappings) != 1 || page.Mappings[0].Folder != "wiki" {
		t.Fatalf("second page: %s %+v", msg, page)
	}
	if raw := adminGet(t, o, "upload_mappings?max_results=3&next_cursor="+cursor); raw.body["next_cursor"] != nil {
		t.Fatalf("last page has a next_cursor: %s", raw.raw)
	}
	got, err := adm.GetUploadMapping(ctx, admin.GetUploadMappingParams{Folder: "wiki"})
	if msg := sdkFailure(err, got); msg != "" || got.Folder != "wiki" || got.Template != "https://upload.wikimedia.org/wikipedia/" {
		t.Fatalf("get: %s %+v", msg, got)
	}
	up, err := adm.UpdateUploadMapping(ctx, admin.UpdateUploadMappingParams{Folder: "wiki", Template: "https://new.test/w/"})
	if msg := sdkFailure(err, up); msg != "" || up.Message != "updated" {
		t.Fatalf("update: %s %+v", msg, up)
	}
	if got, _ := adm.GetUploadMapping(ctx, admin.GetUploadMappingParams{Folder: "wiki"}); got.Template != "https://new.test/w/" {
		t.Fatalf("after update: %+v", got)
	}
	del, err := adm.DeleteUploadMapping(ctx, admin.DeleteUploadMappingParams{Folder: "wiki"})
	if msg := sdkFailure(err, del); msg != "" || del.Message != "deleted" {
		t.Fatalf("delete: %s %+v", msg, del)
	}
	if got, err := adm.GetUploadMapping(ctx, admin.GetUploadMappingParams{Folder: "wiki"}); err != nil ||
		got.Error.Message != "Upload mapping not found - wiki" {
		t.Fatalf("get deleted: %+v %v", got, err)
	}
	if a := adminGet(t, o, "upload_mappings?folder=wiki"); a.status != http.StatusNotFound {
		t.Fatalf("get deleted: status %d", a.status)
	}
	for _, c := range []struct {
		method, body, msg string
		status            int
	}{
		{http.MethodPut, "folder=wiki&template=https://x.test/", "Upload mapping not found - wiki", 404},
		{http.MethodDelete, "folder=wiki", "Upload mapping not found - wiki", 404},
		{http.MethodPost, "template=https://x.test/", "Missing required parameter - folder", 400},
		{http.MethodPost, "folder=x", "Missing required parameter - template", 400},
		{http.MethodPost, "folder=x&template=ftp://x.test/", "Invalid template - ftp://x.test/ (an http or https URL prefix)", 400},
		{http.MethodPost, "folder=x&template=https://x.test/?a=1", "Invalid template - https://x.test/?a=1 (an http or https URL prefix)", 400},
		{http.MethodPost, "folder=a/../b&template=https://x.test/", "Invalid folder - a/../b", 400},
	} {
		a := adminDo(t, o, c.method, "upload_mappings", "application/x-www-form-urlencoded", c.body)
		e, _ := a.body["error"].(map[string]any)
		if msg, _ := e["message"].(string); a.status != c.status || msg != c.msg {
			t.Errorf("%s %s: %d %s", c.method, c.body, a.status, a.raw)
		}
	}
}

// The official Node SDK's upload mapping calls (urlencoded bodies, the
// folder as a parameter) run end to end against a real origin
// (test/node/mappings.js).
func TestNodeSDKUploadMappings(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "mappings.js", o.URL, t.TempDir())
}
