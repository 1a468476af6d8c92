package origin_test

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
)

// check reports every failed condition by name.
func check(t *testing.T, what string, conds map[string]bool) {
	t.Helper()
	names := make([]string, 0, len(conds))
	for n := range conds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !conds[n] {
			t.Errorf("%s: %s wrong", what, n)
		}
	}
}

// The Go SDK's read calls: ping, usage, resource types, listings (all,
// prefix, IDs, tag, context, moderation, paged), details, tags; every
// field checked.
func TestGoSDKAdminRead(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	up, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "shots/rocket",
		Tags: api.CldAPIArray{"space", "red"}, Context: api.CldAPIMap{"alt": "A rocket"}, Eager: "c_scale,w_100|c_fill,h_50,w_50"})
	if msg := sdkFailure(err, up); msg != "" {
		t.Fatal(msg)
	}
	cat := uploadAs(t, o, "chelsea.png", "shots/cat")
	uploadAs(t, o, "coffee.png", "coffee")

	ping, err := o.Cld.Admin.Ping(ctx)
	if err != nil || ping.Status != "ok" {
		t.Fatalf("ping: %+v %v", ping, err)
	}
	types, err := o.Cld.Admin.AssetTypes(ctx)
	if err != nil || strings.Join(types.AssetTypes, ",") != "image" {
		t.Fatalf("resource types: %+v %v", types, err)
	}

	all, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, DeliveryType: "upload",
		Tags: api.Bool(true), Context: api.Bool(true)})
	if err != nil || all.Error.Message != "" || len(all.Assets) != 3 {
		t.Fatalf("list: %+v %v", all, err)
	}
	// Newest first.
	if all.Assets[0].PublicID != "coffee" || all.Assets[2].PublicID != "shots/rocket" || all.NextCursor != "" {
		t.Fatalf("order: %+v", all.Assets)
	}
	r := all.Assets[2]
	check(t, "listed asset", map[string]bool{
		"asset_id":      r.AssetID == up.AssetID,
		"format":        r.Format == "jpg",
		"version":       r.Version == up.Version,
		"resource_type": r.AssetType == "image",
		"type":          r.Type == "upload",
		"created_at":    r.CreatedAt.Equal(up.CreatedAt),
		"bytes":         r.Bytes == up.Bytes,
		"width":         r.Width == 640,
		"height":        r.Height == 427,
		"url":           r.URL == up.URL,
		"secure_url":    r.SecureURL == up.SecureURL,
		"tags":          strings.Join(r.Tags, ",") == "space,red",
		"context":       r.Context["custom"].(map[string]any)["alt"] == "A rocket",
		"access_mode":   r.AccessMode == "public",
		"display_name":  r.DisplayName == "rocket",
		"asset_folder":  r.AssetFolder == "",
	})

	// Paging: one at a time, newest first; then by prefix, by public ID.
	var seen []string
	cur := ""
	for i := 0; i < 5; i++ {
		page, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, MaxResults: 1, NextCursor: cur})
		if err != nil || page.Error.Message != "" || len(page.Assets) != 1 {
			t.Fatalf("page %d: %+v %v", i, page, err)
		}
		seen = append(seen, page.Assets[0].PublicID)
		if page.Assets[0].Tags != nil || page.Assets[0].Context != nil {
			t.Errorf("tags or context listed without asking: %+v", page.Assets[0])
		}
		if cur = page.NextCursor; cur == "" {
			break
		}
	}
	if strings.Join(seen, " ") != "coffee shots/cat shots/rocket" {
		t.Fatalf("pages: %v", seen)
	}
	pre, err := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, DeliveryType: "upload", Prefix: "shots/"})
	if err != nil || len(pre.Assets) != 2 || pre.Assets[0].PublicID != "shots/cat" || pre.Assets[1].PublicID != "shots/rocket" {
		t.Fatalf("prefix: %+v %v", pre, err)
	}
	desc, _ := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, DeliveryType: "upload", Prefix: "shots/", Direction: "desc"})
	if len(desc.Assets) != 2 || desc.Assets[0].PublicID != "shots/rocket" {
		t.Fatalf("prefix desc: %+v", desc.Assets)
	}
	since := time.Now().Add(time.Hour)
	none, _ := o.Cld.Admin.Assets(ctx, admin.AssetsParams{AssetType: api.Image, StartAt: &since})
	if len(none.Assets) != 0 || none.Error.Message != "" {
		t.Fatalf("start_at in the future: %+v", none)
	}

	byIDs, err := o.Cld.Admin.AssetsByIDs(ctx, admin.AssetsByIDsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"coffee", "nope", "shots/rocket"}})
	if err != nil || len(byIDs.Assets) != 2 || byIDs.Assets[0].PublicID != "coffee" || byIDs.Assets[1].PublicID != "shots/rocket" {
		t.Fatalf("by ids: %+v %v", byIDs, err)
	}
	byTag, err := o.Cld.Admin.AssetsByTag(ctx, admin.AssetsByTagParams{AssetType: api.Image, Tag: "space", Tags: api.Bool(true)})
	if err != nil || len(byTag.Assets) != 1 || byTag.Assets[0].PublicID != "shots/rocket" || len(byTag.Assets[0].Tags) != 2 {
		t.Fatalf("by tag: %+v %v", byTag, err)
	}
	byCtx, err := o.Cld.Admin.AssetsByContext(ctx, admin.AssetsByContextParams{AssetType: api.Image, Key: "alt", Value: "A rocket"})
	if err != nil || len(byCtx.Assets) != 1 || byCtx.Assets[0].PublicID != "shots/rocket" {
		t.Fatalf("by context: %+v %v", byCtx, err)
	}
	if byKey, _ := o.Cld.Admin.AssetsByContext(ctx, admin.AssetsByContextParams{AssetType: api.Image, Key: "alt"}); len(byKey.Assets) != 1 {
		t.Fatalf("by context key: %+v", byKey)
	}
	if miss, _ := o.Cld.Admin.AssetsByContext(ctx, admin.AssetsByContextParams{AssetType: api.Image, Key: "alt", Value: "x"}); len(miss.Assets) != 0 {
		t.Fatalf("by context value: %+v", miss)
	}

	upd, err := o.Cld.Admin.UpdateAsset(ctx, admin.UpdateAssetParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "shots/cat", ModerationStatus: api.Approved})
	if err != nil || upd.Error.Message != "" || upd.PublicID != "shots/cat" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	mod, err := o.Cld.Admin.AssetsByModeration(ctx, admin.AssetsByModerationParams{AssetType: api.Image, Kind: "manual",
		Status: "approved", Moderations: api.Bool(true)})
	if err != nil || len(mod.Assets) != 1 || mod.Assets[0].PublicID != "shots/cat" || mod.Assets[0].AssetID != cat.AssetID {
		t.Fatalf("by moderation: %+v %v", mod, err)
	}

	d, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "shots/rocket"})
	if err != nil || d.Error.Message != "" {
		t.Fatalf("details: %+v %v", d, err)
	}
	check(t, "details", map[string]bool{
		"asset_id":    d.AssetID == up.AssetID,
		"public_id":   d.PublicID == "shots/rocket",
		"format":      d.Format == "jpg",
		"version":     d.Version == up.Version,
		"created_at":  d.CreatedAt.Equal(up.CreatedAt),
		"bytes":       d.Bytes == up.Bytes,
		"width":       d.Width == 640,
		"height":      d.Height == 427,
		"etag":        d.Etag == up.Etag,
		"tags":        strings.Join(d.Tags, ",") == "space,red",
		"context":     d.Context.Custom["alt"] == "A rocket",
		"url":         d.URL == up.URL,
		"derived":     len(d.Derived) == 2,
		"pages":       d.Pages == 1,
		"access_mode": d.AccessMode == "public",
		"filename":    d.OriginalFilename == "rocket",
		"next_cursor": d.NextCursor == "",
	})
	first := d.Derived[0].(map[string]any)
	v := strconv.Itoa(up.Version)
	if first["transformation"] != "c_scale,w_100" || first["format"] != "jpg" || first["id"] == "" ||
		first["url"] != "http://cdn.test/demo/image/upload/c_scale,w_100/v"+v+"/shots/rocket.jpg" ||
		first["bytes"].(float64) <= 0 {
		t.Fatalf("derived: %+v", first)
	}
	paged, _ := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "shots/rocket", MaxResults: 1})
	if len(paged.Derived) != 1 || paged.NextCursor == "" {
		t.Fatalf("derived page: %+v", paged)
	}
	rest, _ := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "shots/rocket",
		MaxResults: 1, DerivedNextCursor: paged.NextCursor})
	if len(rest.Derived) != 1 || rest.Derived[0].(map[string]any)["transformation"] != "c_fill,h_50,w_50" || rest.NextCursor != "" {
		t.Fatalf("derived next page: %+v", rest)
	}
	byAsset, err := o.Cld.Admin.AssetByAssetID(ctx, admin.AssetByAssetIDParams{AssetID: up.AssetID})
	if err != nil || byAsset.PublicID != "shots/rocket" {
		t.Fatalf("by asset id: %+v %v", byAsset, err)
	}
	missing, err := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "5traNge_nam3"})
	if err != nil || missing == nil {
		t.Fatalf("missing: %v", err)
	}
	if missing.Error.Message != "Resource not found - 5traNge_nam3" {
		t.Fatalf("missing: %+v", missing.Error)
	}

	tags, err := o.Cld.Admin.Tags(ctx, admin.TagsParams{AssetType: api.Image})
	if err != nil || strings.Join(tags.Tags, ",") != "red,space" {
		t.Fatalf("tags: %+v %v", tags, err)
	}
	tp, _ := o.Cld.Admin.Tags(ctx, admin.TagsParams{AssetType: api.Image, MaxResults: 1})
	tp2, _ := o.Cld.Admin.Tags(ctx, admin.TagsParams{AssetType: api.Image, MaxResults: 1, NextCursor: tp.NextCursor})
	if strings.Join(tp.Tags, ",") != "red" || strings.Join(tp2.Tags, ",") != "space" || tp2.NextCursor != "" {
		t.Fatalf("tag pages: %+v %+v", tp, tp2)
	}
	if sp, _ := o.Cld.Admin.Tags(ctx, admin.TagsParams{AssetType: api.Image, Prefix: "sp"}); strings.Join(sp.Tags, ",") != "space" {
		t.Fatalf("tag prefix: %+v", sp)
	}

	usage, err := o.Cld.Admin.Usage(ctx, admin.UsageParams{})
	if err != nil || usage.Error.Message != "" {
		t.Fatalf("usage: %+v %v", usage, err)
	}
	stored := up.Bytes + int(fetchBytes(t, o, "shots/cat")) + int(fetchBytes(t, o, "coffee"))
	check(t, "usage", map[string]bool{
		"plan":              usage.Plan == "Self-hosted",
		"resources":         usage.Resources == 3,
		"derived_resources": usage.DerivedResources == 2,
		"objects":           usage.Objects.Usage == 5,
		"storage":           usage.Storage.Usage > int64(stored),
		"transformations":   usage.Transformations.Usage == 2,
		"last_updated":      usage.LastUpdated == time.Now().UTC().Format("2006-01-02"),
		"media_limits":      usage.MediaLimits.ImageMaxSizeBytes == 100<<20,
	})
}

// fetchBytes is an asset's stored size.
func fetchBytes(t *testing.T, o *testOrigin, id string) int64 {
	t.Helper()
	a := adminGet(t, o, "resources/image/upload/"+id)
	return int64(a.body["bytes"].(float64))
}

// The Go SDK's write calls: update (tags, context, coordinates, display
// name), delete by IDs (with one missing), keep_original, derived by ID,
// by transformation, by prefix, by tag, all.
func TestGoSDKAdminWrite(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "pre/c", "pre/d"} {
		uploadAs(t, o, "rocket.jpg", id, "eager", "c_scale,w_20|c_scale,w_30")
	}
	upd, err := o.Cld.Admin.UpdateAsset(ctx, admin.UpdateAssetParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "a", Tags: api.CldAPIArray{"x", "y"}, Context: api.CldAPIMap{"caption": "Hi"}, DisplayName: "Alpha",
		FaceCoordinates: api.Coordinates{{10, 20, 30, 40}}, CustomCoordinates: api.Coordinates{{1, 2, 3, 4}}})
	if msg := sdkFailure(err, upd); msg != "" {
		t.Fatalf("update: %s", msg)
	}
	if strings.Join(upd.Tags, ",") != "x,y" || upd.Context.Custom["caption"] != "Hi" || upd.DisplayName != "Alpha" {
		t.Fatalf("update result: %+v", upd)
	}
	co, _ := o.Cld.Admin.Asset(ctx, admin.AssetParams{AssetType: api.Image, DeliveryType: api.Upload, PublicID: "a",
		Coordinates: api.Bool(true), Faces: api.Bool(true)})
	coords := co.Coordinates.(map[string]any)
	if len(co.Faces) != 1 || co.Faces[0][2] != 30 || len(coords["custom"].([]any)) != 1 {
		t.Fatalf("coordinates: %+v %+v", co.Faces, co.Coordinates)
	}
	if bad, _ := o.Cld.Admin.UpdateAsset(ctx, admin.UpdateAssetParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "a", OCR: "adv_ocr"}); !strings.Contains(bad.Error.Message, "ocr is not supported") {
		t.Fatalf("add-on: %+v", bad.Error)
	}

	del, err := o.Cld.Admin.DeleteAssets(ctx, admin.DeleteAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"a", "gone"}})
	if err != nil || del.Error.Message != "" || del.Deleted["a"] != "deleted" || del.Deleted["gone"] != "not_found" || del.Partial {
		t.Fatalf("delete: %+v %v", del, err)
	}
	counts := del.DeletedCounts["a"].(map[string]any)
	if counts["original"].(float64) != 1 || counts["derived"].(float64) != 2 {
		t.Fatalf("deleted_counts: %+v", del.DeletedCounts)
	}

	keep, _ := o.Cld.Admin.DeleteAssets(ctx, admin.DeleteAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"b"}, KeepOriginal: api.Bool(true)})
	if keep.Deleted["b"] != "deleted" || keep.DeletedCounts["b"].(map[string]any)["original"].(float64) != 0 {
		t.Fatalf("keep_original: %+v", keep)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/b.jpg"); r.Status != 200 {
		t.Fatalf("keep_original removed the original: %d", r.Status)
	}
	if b := adminGet(t, o, "resources/image/upload/b"); len(b.body["derived"].([]any)) != 0 {
		t.Fatalf("derived left: %s", b.raw)
	}

	c := adminGet(t, o, "resources/image/upload/pre/c")
	derivedIDs := []string{}
	for _, d := range c.body["derived"].([]any) {
		derivedIDs = append(derivedIDs, d.(map[string]any)["id"].(string))
	}
	dd, err := o.Cld.Admin.DeleteDerivedAssets(ctx, admin.DeleteDerivedAssetsParams{DerivedAssetIDs: api.CldAPIArray{derivedIDs[0], "999999"}})
	if err != nil || dd.Deleted[derivedIDs[0]] != "deleted" || dd.Deleted["999999"] != "not_found" {
		t.Fatalf("delete derived: %+v %v", dd, err)
	}
	bt, err := o.Cld.Admin.DeleteDerivedAssetsByTransformation(ctx, admin.DeleteDerivedAssetsByTransformationParams{
		AssetType: api.Image, DeliveryType: api.Upload, PublicIDs: api.CldAPIArray{"pre/d"}, Transformations: "w_30,c_scale"})
	if err != nil || bt.Deleted["pre/d"] != "deleted" || bt.DeletedCounts["pre/d"].(map[string]any)["derived"].(float64) != 1 {
		t.Fatalf("by transformation (any spelling): %+v %v", bt, err)
	}
	left := adminGet(t, o, "resources/image/upload/pre/d").body["derived"].([]any)
	if len(left) != 1 || left[0].(map[string]any)["transformation"] != "c_scale,w_20" {
		t.Fatalf("derived after by-transformation: %+v", left)
	}

	pre, err := o.Cld.Admin.DeleteAssetsByPrefix(ctx, admin.DeleteAssetsByPrefixParams{AssetType: api.Image,
		DeliveryType: api.Upload, Prefix: api.CldAPIArray{"pre/"}})
	if err != nil || len(pre.Deleted) != 2 || pre.Deleted["pre/c"] != "deleted" || pre.Partial {
		t.Fatalf("by prefix: %+v %v", pre, err)
	}
	uploadAs(t, o, "chelsea.png", "t1")
	o.Cld.Upload.AddTag(ctx, uploader.AddTagParams{Tag: "old", PublicIDs: []string{"t1", "b"}})
	byTag, err := o.Cld.Admin.DeleteAssetsByTag(ctx, admin.DeleteAssetsByTagParams{AssetType: api.Image, Tag: "old"})
	if err != nil || len(byTag.Deleted) != 2 || byTag.Deleted["t1"] != "deleted" {
		t.Fatalf("by tag: %+v %v", byTag, err)
	}
	uploadAs(t, o, "chelsea.png", "last")
	allRes, err := o.Cld.Admin.DeleteAllAssets(ctx, admin.DeleteAllAssetsParams{AssetType: api.Image, DeliveryType: api.Upload})
	if err != nil || len(allRes.Deleted) != 1 || allRes.Deleted["last"] != "deleted" {
		t.Fatalf("all: %+v %v", allRes, err)
	}
	if n := countBlobs(t, o); n != 0 {
		t.Fatalf("%d blobs left after deleting everything", n)
	}
	destroyed := 0
	for _, e := range o.Events.all() {
		if e.Kind == origin.EventDestroyed {
			destroyed++
		}
	}
	if destroyed != 6 {
		t.Fatalf("%d destroyed events, want 6", destroyed)
	}
}

// Named transformations through the Go SDK (parameters) and the docs'
// path style; configuration seeds them once; strict transformations honour
// allowed_for_strict; deleting one deletes its derived resources.
func TestGoSDKAdminTransformations(t *testing.T) {
	dir := t.TempDir()
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret, StrictTransformations: true,
		NamedTransformations: map[string]string{"seeded": "c_scale,w_40"}}
	o := startOriginClouds(t, dir, cl)
	ctx := context.Background()
	uploadAs(t, o, "rocket.jpg", "pic")

	list, err := o.Cld.Admin.ListTransformations(ctx, admin.ListTransformationsParams{})
	if err != nil || len(list.Transformations) != 1 || list.Transformations[0].Name != "t_seeded" ||
		!list.Transformations[0].Named || !list.Transformations[0].AllowedForStrict || list.Transformations[0].Used {
		t.Fatalf("seeded: %+v %v", list, err)
	}
	cr, err := o.Cld.Admin.CreateTransformation(ctx, admin.CreateTransformationParams{Name: "small", Transformation: "c_fill,h_30,w_30"})
	if err != nil || cr.Message != "created" {
		t.Fatalf("create: %+v %v", cr, err)
	}
	dup, _ := o.Cld.Admin.CreateTransformation(ctx, admin.CreateTransformationParams{Name: "small", Transformation: "w_1"})
	if dup.Error.Message != "Transformation small already exists" {
		t.Fatalf("duplicate: %+v", dup)
	}
	if a := adminDo(t, o, "POST", "transformations/small", "", "transformation=w_1"); a.status != 409 {
		t.Fatalf("duplicate status %d", a.status)
	}
	if a := adminDo(t, o, "POST", "transformations/docs_style?transformation=c_scale,w_60", "", ""); a.status != 200 {
		t.Fatalf("docs-style create: %d %s", a.status, a.raw)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/t_small/pic.jpg"); r.Status != 200 || probe(t, r.Body).Width != 30 {
		t.Fatalf("t_small: %d", r.Status)
	}
	got, err := o.Cld.Admin.GetTransformation(ctx, admin.GetTransformationParams{Transformation: "t_small"})
	if err != nil || got.Name != "t_small" || !got.Named || !got.Used || len(got.Derived) != 1 ||
		got.Derived[0].PublicID != "pic" || got.Info[0]["width"] != float64(30) || got.Info[0]["crop"] != "fill" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if a := adminGet(t, o, "transformations/small"); a.status != 200 || a.body["name"] != "t_small" {
		t.Fatalf("docs-style get: %s", a.raw)
	}
	// Not allowed for strict: generation refused (signed URLs still work).
	up, err := o.Cld.Admin.UpdateTransformation(ctx, admin.UpdateTransformationParams{Transformation: "docs_style",
		AllowedForStrict: api.Bool(false)})
	if err != nil || up.Message != "updated" {
		t.Fatalf("update: %+v %v", up, err)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/t_docs_style/pic.jpg"); r.Status != 401 {
		t.Fatalf("not allowed for strict: %d", r.Status)
	}
	// An unnamed transformation allowed for strict is generated on the fly.
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_70,c_scale/pic.jpg"); r.Status != 401 {
		t.Fatalf("unnamed before allowing: %d", r.Status)
	}
	if a := adminDo(t, o, "PUT", "transformations", "application/json", `{"transformation":"c_scale,w_70","allowed_for_strict":true}`); a.status != 200 {
		t.Fatalf("allow unnamed: %s", a.raw)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/w_70,c_scale/pic.jpg"); r.Status != 200 {
		t.Fatalf("unnamed allowed: %d %s", r.Status, r.Header.Get("X-Cld-Error"))
	}
	// unsafe_update changes the definition; existing derived stay.
	if a := adminDo(t, o, "PUT", "transformations/small?unsafe_update=c_fill,h_35,w_35", "", ""); a.status != 200 {
		t.Fatalf("unsafe update: %s", a.raw)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/t_small/pic.jpg"); probe(t, r.Body).Width != 30 {
		t.Fatalf("unsafe_update regenerated the derived resource")
	}
	named, _ := o.Cld.Admin.ListTransformations(ctx, admin.ListTransformationsParams{Named: api.Bool(true)})
	unnamed, _ := o.Cld.Admin.ListTransformations(ctx, admin.ListTransformationsParams{Named: api.Bool(false)})
	if len(named.Transformations) != 3 || len(unnamed.Transformations) != 2 {
		t.Fatalf("named %+v unnamed %+v", named.Transformations, unnamed.Transformations)
	}
	page := adminGet(t, o, "transformations?max_results=2")
	next, _ := page.body["next_cursor"].(string)
	page2 := adminGet(t, o, "transformations?max_results=10&next_cursor="+next)
	if len(page.body["transformations"].([]any)) != 2 || next == "" || len(page2.body["transformations"].([]any)) != 3 {
		t.Fatalf("paging: %s / %s", page.raw, page2.raw)
	}

	del, err := o.Cld.Admin.DeleteTransformation(ctx, admin.DeleteTransformationParams{Transformation: "t_small"})
	if err != nil || del.Message != "deleted" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/t_small/pic.jpg"); r.Status != 400 {
		t.Fatalf("deleted named still delivered: %d", r.Status)
	}
	if a := adminGet(t, o, "resources/image/upload/pic"); len(a.body["derived"].([]any)) != 1 {
		t.Fatalf("derived of the deleted transformation kept: %s", a.raw)
	}
	if gone, _ := o.Cld.Admin.GetTransformation(ctx, admin.GetTransformationParams{Transformation: "t_small"}); gone.Error.Message != "Transformation not found - t_small" {
		t.Fatalf("deleted: %+v", gone.Error)
	}
	// Cloudinary treats transformation strings literally: the derived
	// resource is under the spelling of its URL.
	if a := adminDo(t, o, "DELETE", "transformations/w_70,c_scale", "", ""); a.status != 200 {
		t.Fatalf("delete unnamed: %s", a.raw)
	}
	if a := adminGet(t, o, "resources/image/upload/pic"); len(a.body["derived"].([]any)) != 0 {
		t.Fatalf("derived of the deleted unnamed transformation kept: %s", a.raw)
	}
	// A deleted seed does not come back when the origin restarts.
	o.Cld.Admin.DeleteTransformation(ctx, admin.DeleteTransformationParams{Transformation: "seeded"})
	o.Store.Close()
	o2 := startOriginClouds(t, dir, cl)
	if l, _ := o2.Cld.Admin.ListTransformations(ctx, admin.ListTransformationsParams{Named: api.Bool(true)}); len(l.Transformations) != 1 ||
		l.Transformations[0].Name != "t_docs_style" {
		t.Fatalf("after restart: %+v", l.Transformations)
	}
}

// Related assets: added and removed both ways, by public ID and by asset
// ID, listed with related=true.
func TestGoSDKAdminRelated(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	a := uploadAs(t, o, "rocket.jpg", "a")
	uploadAs(t, o, "chelsea.png", "b")
	c := uploadAs(t, o, "coffee.png", "c")
	add, err := o.Cld.Admin.AddRelatedAssets(ctx, admin.AddRelatedAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "a", AssetsToRelate: []string{"image/upload/b", c.AssetID, "image/upload/nope", "bad"}})
	if err != nil || len(add.Success) != 2 || len(add.Failed) != 2 || add.Failed[0].Status != 404 || add.Failed[1].Status != 400 {
		t.Fatalf("add: %+v %v", add, err)
	}
	again, _ := o.Cld.Admin.AddRelatedAssetsByAssetIDs(ctx, admin.AddRelatedAssetsByAssetIDsParams{AssetID: c.AssetID,
		AssetsToRelate: []string{a.AssetID}})
	if len(again.Failed) != 1 || again.Failed[0].Code != "already_exists" {
		t.Fatalf("relate again: %+v", again)
	}
	rel := adminGet(t, o, "resources/image/upload/b?related=true")
	list := rel.body["related_assets"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["public_id"] != "a" {
		t.Fatalf("b's related: %s", rel.raw)
	}
	if r := adminGet(t, o, "resources/image/upload/a?related=true&max_results=1"); r.body["related_next_cursor"] == nil {
		t.Fatalf("related paging: %s", r.raw)
	}
	rm, err := o.Cld.Admin.DeleteRelatedAssets(ctx, admin.DeleteRelatedAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "b", AssetsToUnrelate: []string{"image/upload/a"}})
	if err != nil || len(rm.Success) != 1 {
		t.Fatalf("unrelate: %+v %v", rm, err)
	}
	if r := adminGet(t, o, "resources/image/upload/a?related=true"); len(r.body["related_assets"].([]any)) != 1 {
		t.Fatalf("a's related after unrelate: %s", r.raw)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = "image/upload/x" + strconv.Itoa(i)
	}
	if r, _ := o.Cld.Admin.AddRelatedAssets(ctx, admin.AddRelatedAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicID: "a", AssetsToRelate: many}); len(r.Success) != 0 {
		t.Fatalf("11 relations accepted")
	}
	// Deleting an asset drops its relations.
	o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "c"})
	if r := adminGet(t, o, "resources/image/upload/a?related=true"); len(r.body["related_assets"].([]any)) != 0 {
		t.Fatalf("relation to a deleted asset: %s", r.raw)
	}
}

// With backup on, deleted and overwritten originals are kept and can be
// restored by public ID and version; clear_backups drops them.
func TestGoSDKAdminBackups(t *testing.T) {
	o := startOriginClouds(t, t.TempDir(), config.Cloud{APIKey: apiKey, APISecret: apiSecret, Backup: true})
	ctx := context.Background()
	v1 := uploadAs(t, o, "rocket.jpg", "pic")
	v2 := uploadAs(t, o, "chelsea.png", "pic")
	d := adminGet(t, o, "resources/image/upload/pic?versions=true")
	versions := d.body["versions"].([]any)
	if len(versions) != 2 || d.body["backup"] != true {
		t.Fatalf("versions: %s", d.raw)
	}
	old := versions[1].(map[string]any)
	if old["version_id"] != v1.VersionID || old["restorable"] != true {
		t.Fatalf("backed-up version: %+v", old)
	}
	res, err := o.Cld.Admin.RestoreAssets(ctx, admin.RestoreAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"pic", "nope"}, Versions: api.CldAPIArray{v1.VersionID, ""}})
	if err != nil {
		t.Fatal(err)
	}
	got := (*res)["pic"]
	if got.Format != "jpg" || got.Version <= v2.Version || got.Width != 640 || (*res)["nope"].Error != "No backup found" {
		t.Fatalf("restore: %+v", *res)
	}
	if r := testkit.Get(t, o.URL+"/demo/image/upload/pic"); md5hex(r.Body) != md5hex(testkit.Read(t, "rocket.jpg")) {
		t.Fatalf("restored content differs")
	}
	// Deleted, then restored: the newest backup is the JPEG that was current.
	o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "pic"})
	back, _ := o.Cld.Admin.RestoreAssets(ctx, admin.RestoreAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"pic"}})
	if (*back)["pic"].Format != "jpg" || (*back)["pic"].AssetID != v1.AssetID {
		t.Fatalf("restore after delete: %+v", *back)
	}
	cleared, _ := o.Cld.Admin.DeleteAssets(ctx, admin.DeleteAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"pic"}})
	if cleared.Deleted["pic"] != "deleted" {
		t.Fatalf("delete: %+v", cleared)
	}
	if a := adminDo(t, o, "DELETE", "resources/image/upload", "application/json", `{"public_ids":"pic","clear_backups":true}`); a.status != 200 {
		t.Fatalf("clear backups: %s", a.raw)
	}
	none, _ := o.Cld.Admin.RestoreAssets(ctx, admin.RestoreAssetsParams{AssetType: api.Image, DeliveryType: api.Upload,
		PublicIDs: api.CldAPIArray{"pic"}})
	if (*none)["pic"].Error != "No backup found" {
		t.Fatalf("backups not cleared: %+v", *none)
	}
	if n := countBlobs(t, o); n != 0 {
		t.Fatalf("%d blobs left", n)
	}
}
