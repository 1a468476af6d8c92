package origin_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/internal/testservers"
	"github.com/mediacdn/mediacdn/origin"
)

// forEachMeta runs test against an origin on each metadata store (SQLite,
// PostgreSQL), with the demo cloud's settings cl.
func forEachMeta(t *testing.T, cl config.Cloud, test func(t *testing.T, o *testOrigin)) {
	t.Run("sqlite", func(t *testing.T) { test(t, startOriginWith(t, nil, nil, cl)) })
	t.Run("postgres", func(t *testing.T) {
		url := testservers.StartPostgres(t).URL
		test(t, startOriginWith(t, func(c *origin.Config) { c.MetadataURL = url }, nil, cl))
	})
}

func folderPaths(r *admin.FoldersResult) []string {
	out := []string{}
	for _, f := range r.Folders {
		out = append(out, f.Path)
	}
	return out
}

// TestFoldersGoSDK creates, lists (pages, sub-folders, missing folders),
// renames in dynamic mode and deletes folders with the Go SDK.
func TestFoldersGoSDK(t *testing.T) {
	forEachMeta(t, config.Cloud{APIKey: apiKey, APISecret: apiSecret}, testFoldersGoSDK)
}

func testFoldersGoSDK(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	adm := o.Cld.Admin
	created, err := adm.CreateFolder(ctx, admin.CreateFolderParams{Folder: "empty/inner"})
	if err != nil || !created.Success || created.Path != "empty/inner" || created.Name != "inner" || len(created.ExternalID) != 32 {
		t.Fatalf("create: %+v %v", created, err)
	}
	// An asset landing in a folder makes it, ancestors too.
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "pic",
		AssetFolder: "album/2024"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	root, err := adm.RootFolders(ctx, admin.RootFoldersParams{MaxResults: 1})
	if err != nil || root.TotalCount != 2 || !slices.Equal(folderPaths(root), []string{"album"}) || root.NextCursor == "" {
		t.Fatalf("root page 1: %+v %v", root, err)
	}
	root, err = adm.RootFolders(ctx, admin.RootFoldersParams{MaxResults: 1, NextCursor: root.NextCursor})
	if err != nil || !slices.Equal(folderPaths(root), []string{"empty"}) || root.NextCursor != "" {
		t.Fatalf("root page 2: %+v %v", root, err)
	}
	sub, err := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "album", MaxResults: 2})
	if err != nil || sub.TotalCount != 1 || !slices.Equal(folderPaths(sub), []string{"album/2024"}) || sub.Folders[0].Name != "2024" {
		t.Fatalf("sub-folders: %+v %v", sub, err)
	}
	missing, err := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "nope"})
	if err != nil || missing.Error.Message != "Can't find folder with path nope" {
		t.Fatalf("missing folder: %+v %v", missing, err)
	}
	if a := adminGet(t, o, "folders/nope"); a.status != http.StatusNotFound {
		t.Fatalf("missing folder status: %d %s", a.status, a.raw)
	}

	// A folder with an asset below it is not deleted.
	notEmpty, err := adm.DeleteFolder(ctx, admin.DeleteFolderParams{Folder: "album"})
	if err != nil || notEmpty.Error.Message != "Folder is not empty" {
		t.Fatalf("delete a non-empty folder: %+v %v", notEmpty, err)
	}
	if a := adminDo(t, o, http.MethodDelete, "folders/album", "", ""); a.status != http.StatusBadRequest {
		t.Fatalf("non-empty folder status: %d %s", a.status, a.raw)
	}

	// Dynamic mode: the asset's folder follows, its public ID and URL stay.
	before := testkit.Get(t, o.URL+"/demo/image/upload/pic.jpg")
	if before.Status != 200 {
		t.Fatalf("delivery before: %s", before)
	}
	ren, err := adm.RenameFolder(ctx, admin.RenameFolderParams{FromPath: "album", ToPath: "photos/albums"})
	if err != nil || ren.Error.Message != "" || ren.From.Path != "album" || ren.To.Path != "photos/albums" || ren.To.Name != "albums" {
		t.Fatalf("rename: %+v %v", ren, err)
	}
	got, err := adm.Asset(ctx, admin.AssetParams{PublicID: "pic"})
	if err != nil || got.AssetFolder != "photos/albums/2024" || got.PublicID != "pic" {
		t.Fatalf("asset after rename: %+v %v", got, err)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/pic.jpg"); r.Status != 200 {
		t.Fatalf("delivery after a dynamic rename: %s", r)
	}
	if sub, _ := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "photos/albums"}); !slices.Equal(folderPaths(sub), []string{"photos/albums/2024"}) {
		t.Fatalf("renamed sub-folders: %+v", sub)
	}
	onto, err := adm.RenameFolder(ctx, admin.RenameFolderParams{FromPath: "photos", ToPath: "empty"})
	if err != nil || onto.Error.Message != "Folder empty already exists" {
		t.Fatalf("rename onto an existing folder: %+v %v", onto, err)
	}
	into, err := adm.RenameFolder(ctx, admin.RenameFolderParams{FromPath: "photos", ToPath: "photos/x"})
	if err != nil || into.Error.Message == "" {
		t.Fatalf("rename into itself: %+v %v", into, err)
	}

	// An empty folder goes with its empty sub-folders.
	del, err := adm.DeleteFolder(ctx, admin.DeleteFolderParams{Folder: "empty"})
	if err != nil || !slices.Equal(del.Deleted, []string{"empty", "empty/inner"}) {
		t.Fatalf("delete: %+v %v", del, err)
	}
	again, err := adm.DeleteFolder(ctx, admin.DeleteFolderParams{Folder: "empty"})
	if err != nil || again.Error.Message != "Can't find folder with path empty" {
		t.Fatalf("delete twice: %+v %v", again, err)
	}
	if _, err := adm.DeleteAssets(ctx, admin.DeleteAssetsParams{PublicIDs: api.CldAPIArray{"pic"}}); err != nil {
		t.Fatal(err)
	}
	del, err = adm.DeleteFolder(ctx, admin.DeleteFolderParams{Folder: "photos/albums"})
	if err != nil || !slices.Equal(del.Deleted, []string{"photos/albums", "photos/albums/2024"}) {
		t.Fatalf("delete once emptied: %+v %v", del, err)
	}
}

// TestFoldersFixedMode renames a folder in fixed folder mode: the public
// IDs inside follow, their old URLs are purged and answer 404, the new ones
// 200; asset_folder is refused.
func TestFoldersFixedMode(t *testing.T) {
	forEachMeta(t, config.Cloud{APIKey: apiKey, APISecret: apiSecret, FolderMode: config.FixedFolders}, testFoldersFixedMode)
}

func testFoldersFixedMode(t *testing.T, o *testOrigin) {
	ctx := context.Background()
	adm := o.Cld.Admin
	for _, id := range []string{"trip/a", "trip/day2/b"} {
		up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: id})
		if msg := sdkFailure(err, up); msg != "" {
			t.Fatal(msg)
		}
		if up.AssetFolder != folderOfID(id) {
			t.Fatalf("%s: asset folder %q", id, up.AssetFolder)
		}
	}
	refused, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "x", AssetFolder: "elsewhere"})
	if err != nil || refused.Error.Message == "" {
		t.Fatalf("asset_folder in fixed mode: %+v %v", refused, err)
	}
	status, body := post(t, o.URL+"/v1_1/demo/image/generate_archive", "application/x-www-form-urlencoded",
		strings.NewReader("tags=x&target_asset_folder=elsewhere"), true)
	if status != 400 || !strings.Contains(body, "Invalid parameter target_asset_folder") {
		t.Fatalf("target_asset_folder in fixed mode: %d %s", status, body)
	}
	for _, u := range []string{"/demo/image/upload/trip/a.jpg", "/demo/image/upload/trip/day2/b.jpg"} {
		if r := testkit.Get(t, o.URL+u); r.Status != 200 {
			t.Fatalf("%s before: %s", u, r)
		}
	}
	ren, err := adm.RenameFolder(ctx, admin.RenameFolderParams{FromPath: "trip", ToPath: "travel/2024"})
	if err != nil || ren.Error.Message != "" || ren.To.Path != "travel/2024" {
		t.Fatalf("rename: %+v %v", ren, err)
	}
	for old, now := range map[string]string{"trip/a": "travel/2024/a", "trip/day2/b": "travel/2024/day2/b"} {
		if r := testkit.Get(t, o.URL+"/demo/image/upload/"+old+".jpg"); r.Status != 404 {
			t.Fatalf("old URL of %s: %s", old, r)
		}
		if r := testkit.Get(t, o.URL+"/demo/image/upload/"+now+".jpg"); r.Status != 200 {
			t.Fatalf("new URL %s: %s", now, r)
		}
		a, err := adm.Asset(ctx, admin.AssetParams{PublicID: now})
		if err != nil || a.AssetFolder != folderOfID(now) {
			t.Fatalf("%s: %+v %v", now, a, err)
		}
		purged := false
		for _, e := range o.Events.all() {
			if e.Kind == origin.EventRenamed && e.Asset.PublicID == old && e.To.PublicID == now && e.Invalidate {
				purged = true
			}
		}
		if !purged {
			t.Fatalf("no purge of %s's old URLs: %+v", old, o.Events.all())
		}
	}
	if _, err := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "trip"}); err != nil {
		t.Fatal(err)
	}
	sub, err := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "travel/2024"})
	if err != nil || !slices.Equal(folderPaths(sub), []string{"travel/2024/day2"}) {
		t.Fatalf("moved sub-folders: %+v %v", sub, err)
	}
	gone, _ := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "trip"})
	if gone.Error.Message != "Can't find folder with path trip" {
		t.Fatalf("old folder: %+v", gone)
	}
	// A rename moves the asset to its new public ID's folder.
	moved, err := o.Cld.Upload.Rename(ctx, uploader.RenameParams{FromPublicID: "travel/2024/a", ToPublicID: "misc/a"})
	if err != nil || moved.Error != nil || moved.AssetFolder != "misc" {
		t.Fatalf("rename an asset: %+v %v", moved, err)
	}
	if _, err := adm.SubFolders(ctx, admin.SubFoldersParams{Folder: "misc"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := adm.GetConfig(ctx, admin.GetConfigParams{Settings: api.Bool(true)})
	if err != nil || cfg.Settings.FolderMode != "fixed" {
		t.Fatalf("config: %+v %v", cfg, err)
	}
}

// folderOfID is a public ID's folder.
func folderOfID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return ""
}

// TestFoldersEncodedPaths reads a folder path sent encoded (as the Node
// SDK sends paths: a%2Fb), and a folder named as a route's word.
func TestFoldersEncodedPaths(t *testing.T) {
	o := startOrigin(t, nil)
	if a := adminDo(t, o, http.MethodPost, "folders/a%2Fb", "", ""); a.status != 200 || a.body["path"] != "a/b" {
		t.Fatalf("create encoded: %d %s", a.status, a.raw)
	}
	if a := adminGet(t, o, "folders/a"); a.status != 200 || a.body["total_count"] != float64(1) {
		t.Fatalf("sub-folders: %d %s", a.status, a.raw)
	}
	if a := adminDo(t, o, http.MethodDelete, "folders/a%2Fb", "", ""); a.status != 200 {
		t.Fatalf("delete encoded: %d %s", a.status, a.raw)
	}
}

// The official Node SDK's folder calls (paths percent-encoded, rename as
// JSON), config and usage by date run end to end against a real origin
// (test/node/folders.js).
func TestNodeSDKFolders(t *testing.T) {
	o := startOrigin(t, nil)
	runNode(t, "folders.js", o.URL, t.TempDir())
}
