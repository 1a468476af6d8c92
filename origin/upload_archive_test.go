package origin_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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

// archiveImages are the corpus images the archive tests upload, by the
// public ID each gets.
var archiveImages = map[string]string{
	"trip/aqua": "Aqua.jpg", "trip/garden": "Garden.jpg", "home/logo": "logo.png",
}

// uploadTagged uploads archiveImages, each with the tag "trip", and
// returns each file's bytes by the name it has in an archive.
func uploadTagged(t *testing.T, o *testOrigin) map[string][]byte {
	t.Helper()
	want := map[string][]byte{}
	for id, file := range archiveImages {
		res, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, file),
			uploader.UploadParams{PublicID: id, Tags: []string{"trip"}})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("upload %s: %s", file, msg)
		}
		want[id+"."+res.Format] = testkit.Read(t, file)
	}
	return want
}

// unzip returns each file of a zip by name, failing on a damaged one.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip (%d bytes): %v", len(b), err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r) // checks the CRC
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if _, dup := out[f.Name]; dup {
			t.Fatalf("%s twice in the zip", f.Name)
		}
		out[f.Name] = data
	}
	return out
}

// sameFiles fails unless got holds exactly want's files, byte for byte.
func sameFiles(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("%s: %d bytes in the archive, want the original's %d", name, len(got[name]), len(data))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s in the archive, not selected", name)
		}
	}
}

// CreateZip by tag stores a raw asset whose bytes, delivered, unzip to the
// three originals, and answers Cloudinary's fields.
func TestArchiveCreateZipByTag(t *testing.T) {
	o := startOrigin(t, nil)
	want := uploadTagged(t, o)
	res, err := o.Cld.Upload.CreateZip(context.Background(), uploader.CreateArchiveParams{
		Tags: api.CldAPIArray{"trip"}, TargetPublicID: "exports/trip", TargetTags: api.CldAPIArray{"export"}})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if res.PublicID != "exports/trip.zip" || res.ResourceType != "raw" || res.Type != "upload" ||
		res.ResourceCount != 3 || res.FileCount != 3 || res.AssetID == "" || res.Version == 0 ||
		!slices.Equal(res.Tags, []string{"export"}) || res.Bytes == 0 ||
		!strings.HasPrefix(res.SecureURL, "https://cdn.test/demo/raw/upload/v") {
		t.Fatalf("answer %+v", res)
	}
	got := testkit.Get(t, o.URL+strings.TrimPrefix(res.SecureURL, "https://cdn.test"))
	if got.Status != 200 || len(got.Body) != res.Bytes || md5hex(got.Body) != res.Etag {
		t.Fatalf("delivered archive: %v (answer said %d bytes, etag %s)", got, res.Bytes, res.Etag)
	}
	sameFiles(t, unzip(t, got.Body), want)

	// The archive is an asset like any other: listed under its tag.
	list, err := o.Cld.Admin.AssetsByTag(context.Background(), admin.AssetsByTagParams{AssetType: "raw", Tag: "export"})
	if msg := sdkFailure(err, list); msg != "" || len(list.Assets) != 1 || list.Assets[0].PublicID != "exports/trip.zip" {
		t.Fatalf("assets tagged export: %s %+v", msg, list)
	}
}

// DownloadZipURL is a signed GET that answers the zip itself, stores
// nothing, and names its file after target_public_id.
func TestArchiveDownloadZipURL(t *testing.T) {
	o := startOrigin(t, nil)
	want := uploadTagged(t, o)
	blobs := countBlobs(t, o)
	u, err := o.Cld.Upload.DownloadZipURL(uploader.CreateArchiveParams{
		PublicIDs: []string{"trip/aqua", "home/logo"}, TargetPublicID: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	got := testkit.Get(t, u)
	if got.Status != 200 || got.Header.Get("Content-Type") != "application/zip" ||
		got.Header.Get("Content-Disposition") != `attachment; filename="mine.zip"` {
		t.Fatalf("download: %v", got)
	}
	delete(want, "trip/garden.jpg")
	sameFiles(t, unzip(t, got.Body), want)
	if n := countBlobs(t, o); n != blobs {
		t.Errorf("a download stored %d blobs", n-blobs)
	}

	// The URL is signed: changed, it is refused.
	bad := testkit.Get(t, strings.Replace(u, "home%2Flogo", "home%2Flogo2", 1))
	if bad.Status != 401 || !strings.Contains(string(bad.Body), "Invalid Signature") {
		t.Errorf("tampered URL: %v", bad)
	}
}

// A download URL with expires_at is good until then, though its timestamp
// is more than an hour old, and refused after.
func TestArchiveDownloadExpiresAt(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	o := startOriginClock(t, nil, func() time.Time { return clock() })
	want := uploadTagged(t, o)
	exp := now.Add(3 * time.Hour)
	u, err := o.Cld.Upload.DownloadZipURL(uploader.CreateArchiveParams{Tags: api.CldAPIArray{"trip"}, ExpiresAt: &exp})
	if err != nil {
		t.Fatal(err)
	}
	clock = func() time.Time { return now.Add(2 * time.Hour) }
	got := testkit.Get(t, u)
	if got.Status != 200 {
		t.Fatalf("before expires_at: %v", got)
	}
	sameFiles(t, unzip(t, got.Body), want)
	// expires_at with a fraction of a second, as the Node SDK's own suite
	// sends it (Date.now() / 1000 + 60).
	q := url.Values{}
	for _, f := range signed([][2]string{{"tags", "trip"}, {"mode", "download"},
		{"expires_at", strconv.FormatInt(exp.Unix(), 10) + ".375"}}, now.Unix(), apiSecret) {
		q.Add(f[0], f[1])
	}
	fractional := o.URL + "/v1_1/demo/image/generate_archive?" + q.Encode()
	if got := testkit.Get(t, fractional); got.Status != 200 {
		t.Fatalf("expires_at with a fraction: %v", got)
	}
	clock = func() time.Time { return now.Add(4 * time.Hour) }
	if got := testkit.Get(t, u); got.Status == 200 {
		t.Fatalf("after expires_at: %v", got)
	}
	if got := testkit.Get(t, fractional); got.Status == 200 {
		t.Fatalf("after a fractional expires_at: %v", got)
	}
	// Without expires_at, an hour-old URL is stale as any signed request.
	u, err = o.Cld.Upload.DownloadZipURL(uploader.CreateArchiveParams{Tags: api.CldAPIArray{"trip"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := testkit.Get(t, u); got.Status != 400 || !strings.Contains(string(got.Body), "Stale request") {
		t.Fatalf("stale URL: %v", got)
	}
}

// prefixes select by public ID prefix; flatten_folders drops the folders;
// tgz is a gzipped tar of the same files; download_folder (resource type
// all) finds raw files too.
func TestArchivePrefixesFlattenTgz(t *testing.T) {
	o := startOrigin(t, nil)
	want := uploadTagged(t, o)
	got := download(t, o, uploader.CreateArchiveParams{Prefixes: api.CldAPIArray{"trip/"}})
	delete(want, "home/logo.png")
	sameFiles(t, unzip(t, got), want)

	got = download(t, o, uploader.CreateArchiveParams{Prefixes: api.CldAPIArray{"trip/"},
		FlattenFolders: api.Bool(true), TargetFormat: uploader.Tgz})
	flat := map[string][]byte{}
	for name, b := range want {
		flat[filepath.Base(name)] = b
	}
	sameFiles(t, untgz(t, got), flat)

	notes := []byte("raw notes\n")
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, notes, 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := o.Cld.Upload.Upload(context.Background(), path, uploader.UploadParams{PublicID: "trip/notes.txt",
		ResourceType: "raw"}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	u, err := o.Cld.Upload.DownloadFolder("trip/", uploader.CreateArchiveParams{})
	if err != nil {
		t.Fatal(err)
	}
	a := testkit.Get(t, u)
	if a.Status != 200 {
		t.Fatalf("download_folder: %v", a)
	}
	want["trip/notes.txt"] = notes
	sameFiles(t, unzip(t, a.Body), want)
}

// download fetches a DownloadArchiveURL.
func download(t *testing.T, o *testOrigin, p uploader.CreateArchiveParams) []byte {
	t.Helper()
	u, err := o.Cld.Upload.DownloadArchiveURL(p)
	if err != nil {
		t.Fatal(err)
	}
	got := testkit.Get(t, u)
	if got.Status != 200 {
		t.Fatalf("download %+v: %v", p, got)
	}
	return got.Body
}

func untgz(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if out[h.Name], err = io.ReadAll(tr); err != nil {
			t.Fatal(err)
		}
	}
}

// A selection past the bounds, or of nothing, is refused with a clear
// message before anything is written or stored; so is a parameter the
// server does not implement.
func TestArchiveRefusals(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) {
		c.Archives.MaxFiles = 2
		c.Archives.MaxBytes = 600 * config.KiB
	})
	uploadTagged(t, o) // 3 files, 200 KB + 265 KB + 180 KB
	blobs := countBlobs(t, o)
	for _, c := range []struct {
		p    uploader.CreateArchiveParams
		want string
	}{
		{uploader.CreateArchiveParams{Tags: api.CldAPIArray{"trip"}}, "Too many files to archive: more than the 2"},
		{uploader.CreateArchiveParams{PublicIDs: []string{"trip/aqua", "trip/garden", "home/logo"}},
			"Too many files to archive"},
		{uploader.CreateArchiveParams{PublicIDs: []string{"trip/aqua", "trip/garden"}, Prefixes: api.CldAPIArray{"home/"}},
			"Too many files"},
		{uploader.CreateArchiveParams{Prefixes: api.CldAPIArray{"trip/"}, PublicIDs: []string{"trip/aqua"}}, ""},
		{uploader.CreateArchiveParams{}, "Missing required parameter - public_ids, prefixes, tags or fully_qualified_public_ids"},
		{uploader.CreateArchiveParams{Tags: api.CldAPIArray{"none"}}, "No resources found for the archive"},
		{uploader.CreateArchiveParams{PublicIDs: []string{"nope"}}, "Resource not found - nope"},
		{uploader.CreateArchiveParams{Tags: api.CldAPIArray{"trip"}, KeepDerived: api.Bool(true)},
			"Parameter keep_derived is not supported by this server"},
		{uploader.CreateArchiveParams{FullyQualifiedPublicIDs: api.CldAPIArray{"image/nope/x"}},
			"Invalid fully_qualified_public_ids - image/nope/x"},
		{uploader.CreateArchiveParams{FullyQualifiedPublicIDs: api.CldAPIArray{"video/upload/trip/aqua"}},
			"Resource not found - video/upload/trip/aqua"},
		{uploader.CreateArchiveParams{PublicIDs: []string{"trip/aqua"}, Transformations: "w_10|w_20|w_30"},
			"Too many files to archive: more than the 2"},
		{uploader.CreateArchiveParams{PublicIDs: []string{"trip/aqua"}, Transformations: "w_abc"},
			"Invalid transformations - w_abc"},
		{uploader.CreateArchiveParams{Tags: api.CldAPIArray{"trip"}, TargetFormat: "rar"}, "Invalid target_format - rar"},
	} {
		res, err := o.Cld.Upload.CreateArchive(context.Background(), c.p)
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" {
			if res.Error.Message != "" || res.FileCount != 2 {
				t.Errorf("%+v: %+v", c.p, res)
			}
			continue
		}
		if res.Error.Message == "" || !strings.Contains(res.Error.Message, c.want) {
			t.Errorf("%+v: %q, want %q", c.p, res.Error.Message, c.want)
		}
	}
	// target_asset_folder names folders as asset_folder does: checked alike.
	status, body := post(t, o.URL+"/v1_1/demo/image/generate_archive", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"public_ids": {"trip/aqua"}, "target_asset_folder": {"exports/../x"}}.Encode()), true)
	if status != 400 || errorMessage(t, body) != "Invalid folder - exports/../x" {
		t.Errorf("target_asset_folder exports/../x: %d %s", status, body)
	}
	if n := countBlobs(t, o); n != blobs+1 { // the one archive made
		t.Errorf("%d blobs stored, want 1", n-blobs)
	}
	// Over the bytes bound (Storm.jpg is 695 KB).
	if res, err := o.Cld.Upload.Upload(context.Background(), testkit.Path(t, "Storm.jpg"),
		uploader.UploadParams{PublicID: "storm", Tags: []string{"big"}}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	u, err := o.Cld.Upload.DownloadZipURL(uploader.CreateArchiveParams{Tags: api.CldAPIArray{"big"}})
	if err != nil {
		t.Fatal(err)
	}
	got := testkit.Get(t, u)
	if got.Status != 400 || !strings.Contains(string(got.Body),
		"Archive too large: the files selected are more than the 614400 bytes an archive may hold") {
		t.Errorf("over the bytes bound: %v", got)
	}
}

// A client that leaves part way through a download leaves nothing behind:
// no blob, no asset, and its request stops (its upload slot is given back).
func TestArchiveDownloadClientGone(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Uploads.PerClient = 1 })
	big := make([]byte, 16<<20) // more than loopback's socket buffers hold
	rand.Read(big)
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if res, err := o.Cld.Upload.Upload(context.Background(), path, uploader.UploadParams{PublicID: "big.bin",
		ResourceType: "raw", Tags: []string{"big"}}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	blobs := countBlobs(t, o)
	u, err := o.Cld.Upload.DownloadArchiveURL(uploader.CreateArchiveParams{Tags: api.CldAPIArray{"big"},
		ResourceType: "raw"})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	// While it is being served, the client's one slot is taken.
	if got := testkit.Get(t, u); got.Status != 420 {
		t.Fatalf("second download while the first is served: %v", got)
	}
	resp.Body.Close() // the connection goes with it
	testkit.Eventually(t, testkit.Timeout, "the download's slot given back", func() bool {
		r, err := http.Get(o.URL + "/v1_1/demo/image/generate_archive?mode=download")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode != 420
	})
	if n := countBlobs(t, o); n != blobs {
		t.Errorf("%d blobs left behind", n-blobs)
	}
	list, err := o.Cld.Admin.Assets(context.Background(), admin.AssetsParams{AssetType: "raw"})
	if msg := sdkFailure(err, list); msg != "" || len(list.Assets) != 1 {
		t.Errorf("raw assets after the download: %s %+v", msg, list)
	}
}

// transformations archive each image once per transformation, made
// through the derive path (so the archive holds what delivery serves, and
// delivery then finds it made), in a folder named after it.
func TestArchiveTransformations(t *testing.T) {
	o := startOrigin(t, nil)
	uploadTagged(t, o)
	res, err := o.Cld.Upload.CreateZip(context.Background(), uploader.CreateArchiveParams{
		Prefixes: api.CldAPIArray{"trip/"}, Transformations: "w_100|c_fill,h_50,w_50/png"})
	if msg := sdkFailure(err, res); msg != "" {
		t.Fatal(msg)
	}
	if res.ResourceCount != 2 || res.FileCount != 4 {
		t.Errorf("resource_count %d, file_count %d; want 2 and 4", res.ResourceCount, res.FileCount)
	}
	got := testkit.Get(t, o.URL+strings.TrimPrefix(res.SecureURL, "https://cdn.test"))
	files := unzip(t, got.Body)
	want := map[string][2]int{
		"w_100/trip/aqua.jpg": {100, 0}, "w_100/trip/garden.jpg": {100, 0},
		"c_fill,h_50,w_50/trip/aqua.png": {50, 50}, "c_fill,h_50,w_50/trip/garden.png": {50, 50},
	}
	if len(files) != len(want) {
		t.Errorf("files %v, want %v", slices.Sorted(maps.Keys(files)), want)
	}
	for name, size := range want {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(files[name]))
		if err != nil || cfg.Width != size[0] || size[1] != 0 && cfg.Height != size[1] {
			t.Errorf("%s: %dx%d %v, want %v", name, cfg.Width, cfg.Height, err, size)
		}
		tx, id, _ := strings.Cut(name, "/trip/")
		d := testkit.Get(t, o.URL+"/demo/image/upload/"+tx+"/trip/"+id)
		if d.Status != 200 || !bytes.Equal(d.Body, files[name]) {
			t.Errorf("%s: delivered %v, not the archive's %d bytes", name, d, len(files[name]))
		}
	}

	// flatten_transformations puts the transformation in the file's name;
	// fully_qualified_public_ids names assets with their type.
	flat := download(t, o, uploader.CreateArchiveParams{Transformations: "w_100|c_fill,h_50,w_50/png",
		FullyQualifiedPublicIDs: api.CldAPIArray{"image/upload/trip/aqua", "image/upload/home/logo"},
		FlattenTransformations:  api.Bool(true)})
	names := slices.Sorted(maps.Keys(unzip(t, flat)))
	if want := []string{"home/logo_c_fill,h_50,w_50.png", "home/logo_w_100.png", "trip/aqua_c_fill,h_50,w_50.png",
		"trip/aqua_w_100.jpg"}; !slices.Equal(names, want) {
		t.Errorf("flattened: %q, want %q", names, want)
	}
	// skip_transformation_name names them as the originals, a name taken
	// twice getting _2.
	skipped := download(t, o, uploader.CreateArchiveParams{Transformations: "w_100|w_50/png",
		FullyQualifiedPublicIDs: api.CldAPIArray{"image/upload/trip/aqua", "image/upload/home/logo"},
		SkipTransformationName:  api.Bool(true)})
	names = slices.Sorted(maps.Keys(unzip(t, skipped)))
	if want := []string{"home/logo.png", "home/logo_2.png", "trip/aqua.jpg", "trip/aqua.png"}; !slices.Equal(names, want) {
		t.Errorf("skip_transformation_name: %q, want %q", names, want)
	}
	o.Server.WaitRecorded()
}

// An archive is written as it is read, in both modes: making one of a
// 12 MiB file allocates a fraction of that (held whole, it would allocate
// at least the file's size, and more as a buffer grows).
func TestArchiveStreamsWithoutHoldingIt(t *testing.T) {
	o := startOrigin(t, nil)
	const size = 12 << 20
	big := make([]byte, size)
	rand.Read(big)
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	big = nil
	if res, err := o.Cld.Upload.Upload(context.Background(), path, uploader.UploadParams{PublicID: "big.bin",
		ResourceType: "raw"}); sdkFailure(err, res) != "" {
		t.Fatal(sdkFailure(err, res))
	}
	params := uploader.CreateArchiveParams{PublicIDs: []string{"big.bin"}, ResourceType: "raw"}
	allocated := func(run func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		run()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	n := allocated(func() {
		u, err := o.Cld.Upload.DownloadArchiveURL(params)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, err := io.Copy(io.Discard, resp.Body)
		if err != nil || resp.StatusCode != 200 || got < size {
			t.Fatalf("download: %d, %d bytes, %v", resp.StatusCode, got, err)
		}
	})
	t.Logf("download: %d bytes allocated", n)
	if n > size/3 {
		t.Errorf("a download of a %d-byte archive allocated %d bytes", size, n)
	}
	n = allocated(func() {
		res, err := o.Cld.Upload.CreateArchive(context.Background(), params)
		if msg := sdkFailure(err, res); msg != "" || res.Bytes < size {
			t.Fatalf("create: %s %+v", msg, res)
		}
	})
	t.Logf("create: %d bytes allocated", n)
	if n > size/3 {
		t.Errorf("creating a %d-byte archive allocated %d bytes", size, n)
	}
}

// An archive not made by archives.timeout answers 503 and stores nothing.
func TestArchiveDeadline(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Archives.Timeout = time.Nanosecond })
	uploadTagged(t, o)
	blobs := countBlobs(t, o)
	for _, mode := range []uploader.ArchiveMode{uploader.CreateArchive, uploader.DownloadArchive} {
		res, err := o.Cld.Upload.CreateArchive(context.Background(), uploader.CreateArchiveParams{
			Tags: api.CldAPIArray{"trip"}, Mode: mode})
		if err != nil || res.Error.Message != "Archive not made within 1ns" {
			t.Errorf("%s: %+v %v", mode, res.Error, err)
		}
	}
	if n := countBlobs(t, o); n != blobs {
		t.Errorf("%d blobs stored", n-blobs)
	}
}
