package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
)

// browser starts a headless Chromium (Debian's chromium, which `make
// test` installs) driven with chromedp; the test is skipped, saying so,
// only where no chromium is installed, and fails then under `make test`
// (MEDIACDN_BROWSER=required).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("MEDIACDN_BROWSER") == "required" {
			t.Fatal("chromium is not installed and MEDIACDN_BROWSER=required: `make browser` installs it")
		}
		t.Skip("chromium is not installed: `make test` (or apt-get install chromium) installs it for the console's browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// run runs browser actions, failing the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		failBrowser(t, ctx, what, err)
	}
}

// value runs one browser action that returns a value.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		failBrowser(t, ctx, what, err)
	}
	return v
}

// failBrowser fails the test with the page it was on.
func failBrowser(t *testing.T, ctx context.Context, what string, err error) {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(cctx, chromedp.Location())
	body, _ := chromedp.Run(cctx, chromedp.OuterHTML(chromedp.CSS("body")))
	t.Fatalf("%s: %v\nat %s\n%s", what, err, loc, body)
}

// screenshot saves the page into docs/console/<name>.png when
// MEDIACDN_CONSOLE_SCREENSHOTS=1 asks (so that `make test` leaves the tree
// as it is); quality 100 makes a PNG.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("MEDIACDN_CONSOLE_SCREENSHOTS") != "1" {
		return
	}
	buf := value(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join("..", "docs", "console", name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fitsPhone reloads the page at a phone's width (390 pixels), fails the
// test if it scrolls sideways, saves its screenshot as <name>-phone, and
// goes back to the desktop's width.
func fitsPhone(t *testing.T, ctx context.Context, name string, ready chromedp.CSS) {
	t.Helper()
	run(t, ctx, "open "+name+" on a phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(ready))
	over := value(t, ctx, "measure "+name, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.tagName + "." + e.className)`))
	if len(over) > 0 {
		t.Errorf("%s scrolls sideways on a 390-pixel-wide phone: too wide: %v", name, over)
	}
	screenshot(t, ctx, name+"-phone")
	run(t, ctx, "back to the desktop", chromedp.EmulateViewport(1280, 900))
}

// cacheStatus is an edge's Cache-Status for path.
func cacheStatus(t *testing.T, edge, path string) string {
	t.Helper()
	g := testkit.Get(t, edge+path)
	if g.Status != http.StatusOK {
		t.Fatalf("%s%s: %+v", edge, path, g)
	}
	return g.Header.Get("Cache-Status")
}

// The console in a real browser against an origin, two edges and NATS:
// sign in with the keyboard, upload two files, browse a prefix (thumbnails through the
// edge), open an asset, delete one derived image and see it gone and its
// URL purged at both edges, purge a prefix and watch every edge apply
// it, bulk-delete the prefix, sign out.
func TestConsoleInBrowser(t *testing.T) {
	ctx := browser(t)
	edgeAddr := freeAddr(t)
	demo := config.Cloud{APIKey: "demo_key", APISecret: "demo_secret"}
	demo.Admin.Limits = config.UsageLimits{Objects: 100, Storage: 20 << 20, Transformations: 50}
	c := startCaughtUp(t, ClusterOptions{Edges: 2, EdgeListens: []string{edgeAddr}, Clouds: config.Clouds{"demo": demo}, Configure: func(f *File) {
		f.Origin.DeliveryURL = "http://" + edgeAddr
		f.Origin.SecureDeliveryURL = f.Origin.DeliveryURL
	}})
	call(t, c, "upload", map[string]string{"public_id": "cover"}, "rocket.jpg")
	admin(t, c, http.MethodPost, "upload_presets", "name=covers&folder=covers&use_filename=true&unique_filename=false&tags=preset")

	console := c.OriginURL + "/console/"
	run(t, ctx, "open the sign-in page", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS("#api_key")))
	screenshot(t, ctx, "signin")
	run(t, ctx, "sign in with the keyboard",
		chromedp.SendKeys(chromedp.CSS("#api_key"), "demo_key"),
		chromedp.SendKeys(chromedp.CSS("#api_secret"), "demo_secret"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("ul.grid")))

	run(t, ctx, "upload two files into shelf/",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/upload"]`)), chromedp.WaitVisible(chromedp.CSS("#files")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{testkit.Path(t, "rocket.jpg"), testkit.Path(t, "chelsea.png")}),
		chromedp.SendKeys(chromedp.CSS("#folder"), "shelf"), chromedp.SendKeys(chromedp.CSS("#upload-tags"), "space"),
		chromedp.Click(chromedp.CSS("#upload-start")),
		chromedp.Poll[chromedp.Void](`(() => { const li = [...document.querySelectorAll("#uploads li")];
		  return li.length === 2 && li.every(l => l.dataset.state !== "uploading"); })()`))
	uploaded := value(t, ctx, "read the uploads", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#uploads li")].map(l => l.dataset.state + " " + l.querySelector(".upload-status").textContent)`))
	if strings.Join(uploaded, ",") != "done uploaded as shelf/rocket,done uploaded as shelf/chelsea" {
		t.Fatalf("uploads: %q", uploaded)
	}
	screenshot(t, ctx, "upload")
	run(t, ctx, "upload a file with a preset",
		chromedp.Navigate(c.OriginURL+"/console/upload"), chromedp.WaitVisible(chromedp.CSS("#preset")),
		chromedp.SetValue(chromedp.CSS("#preset"), "covers"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{testkit.Path(t, "coffee.png")}),
		chromedp.Click(chromedp.CSS("#upload-start")),
		chromedp.Poll[chromedp.Void](`(() => { const li = [...document.querySelectorAll("#uploads li")];
		  return li.length === 1 && li[0].dataset.state !== "uploading"; })()`))
	withPreset := value(t, ctx, "read the upload", chromedp.Evaluate[string](
		`(l => l.dataset.state + " " + l.querySelector(".upload-status").textContent)(document.querySelector("#uploads li"))`))
	if withPreset != "done uploaded as covers/coffee" {
		t.Fatalf("upload with a preset: %q", withPreset)
	}
	// A file dropped on the form is sent at once (the drop made in the page:
	// chromedp cannot drag from the desktop).
	png := base64.StdEncoding.EncodeToString(testkit.Read(t, "logo.png"))
	run(t, ctx, "drop a file on the upload form",
		chromedp.Navigate(c.OriginURL+"/console/upload"), chromedp.WaitVisible(chromedp.CSS("#drop")),
		chromedp.SendKeys(chromedp.CSS("#folder"), "dropped"),
		chromedp.Evaluate[chromedp.Void](`(() => { const bytes = Uint8Array.from(atob("`+png+`"), ch => ch.charCodeAt(0));
		  const dt = new DataTransfer(); dt.items.add(new File([bytes], "logo.png", {type: "image/png"}));
		  document.getElementById("upload").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); })()`),
		chromedp.Poll[chromedp.Void](`(() => { const li = [...document.querySelectorAll("#uploads li")];
		  return li.length === 1 && li[0].dataset.state !== "uploading"; })()`))
	dropped := value(t, ctx, "read the dropped upload", chromedp.Evaluate[string](
		`(l => l.dataset.state + " " + l.querySelector(".upload-status").textContent)(document.querySelector("#uploads li"))`))
	if dropped != "done uploaded as dropped/logo" {
		t.Fatalf("a dropped file: %q", dropped)
	}
	const small = "/demo/image/upload/c_fill,h_40,w_40/shelf/rocket.jpg"
	for _, e := range c.EdgeURLs {
		cacheStatus(t, e, small)
		if s := cacheStatus(t, e, small); s != "mediacdn; hit" {
			t.Fatalf("%s%s not cached: %s", e, small, s)
		}
	}
	run(t, ctx, "open the library", chromedp.Click(chromedp.CSS(`nav a[href="/console/library"]`)), chromedp.WaitVisible(chromedp.CSS("a.folder")))

	run(t, ctx, "browse the prefix shelf/", chromedp.Click(chromedp.CSS(`a.folder[href$="prefix=shelf%2f"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.asset-link[href*="shelf%2frocket"]`)))
	thumbs := value(t, ctx, "load the thumbnails", chromedp.Poll[[]string](
		`(() => { const imgs = [...document.querySelectorAll("ul.grid img")];
		  return imgs.every(i => i.complete) && imgs.map(i => i.naturalWidth > 0 ? i.src : "broken " + i.src); })()`))
	if len(thumbs) != 2 {
		t.Fatalf("thumbnails under shelf/: %v", thumbs)
	}
	for _, src := range thumbs {
		if !strings.HasPrefix(src, "http://"+edgeAddr+"/demo/image/upload/c_fill,w_160,h_160/") {
			t.Errorf("thumbnail not a loaded c_fill through the edge: %s", src)
		}
	}
	screenshot(t, ctx, "library")
	fitsPhone(t, ctx, "library", chromedp.CSS("ul.grid"))
	run(t, ctx, "search with a bad expression", chromedp.SendKeys(chromedp.CSS("#q"), "tags:(space"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#search-error")))
	run(t, ctx, "search by tag", chromedp.SetValue(chromedp.CSS("#q"), "tags:space"), chromedp.Click(chromedp.CSS("#filter")),
		chromedp.WaitNotPresent(chromedp.CSS("#search-error")), chromedp.WaitVisible(chromedp.CSS("ul.grid")))
	if found := value(t, ctx, "read the search's assets", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("ul.grid .name")].map(n => n.textContent).sort()`)); strings.Join(found, ",") != "shelf/chelsea,shelf/rocket" {
		t.Errorf("search tags:space: %v", found)
	}

	run(t, ctx, "open shelf/rocket", chromedp.Click(chromedp.CSS(`a.asset-link[href*="shelf%2frocket"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.derived")))
	var details struct {
		Derived []struct{ ID, Transformation string } `json:"derived"`
	}
	getJSON(t, c.OriginURL+"/v1_1/demo/resources/image/upload/shelf/rocket", &details)
	target := ""
	for _, d := range details.Derived {
		if d.Transformation == "c_fill,h_40,w_40" {
			target = d.ID
		}
	}
	if target == "" {
		t.Fatalf("no derived c_fill,h_40,w_40 in %+v", details.Derived)
	}
	row := `tr[data-derived="` + target + `"]`
	run(t, ctx, "see the derived image", chromedp.WaitVisible(chromedp.CSS(row)))
	screenshot(t, ctx, "asset")
	fitsPhone(t, ctx, "asset", chromedp.CSS(row))
	run(t, ctx, "delete the derived image", chromedp.Click(chromedp.CSS(row+" button")),
		chromedp.WaitVisible(chromedp.CSS("p.done")), chromedp.WaitNotPresent(chromedp.CSS(row)))
	if !value(t, ctx, "find the invalidation", chromedp.Evaluate[bool](`!!document.querySelector("[data-invalidation]")`)) {
		t.Fatal("the derived image's deletion published no invalidation")
	}
	run(t, ctx, "watch every edge apply it", chromedp.WaitVisible(chromedp.CSS(`[data-invalidation][data-status="applied"]`)))
	status := value(t, ctx, "read the invalidation", chromedp.Text(chromedp.CSS("[data-invalidation] .inv-status")))
	if status != "applied (2 of 2 edges)" {
		t.Errorf("derived deletion's invalidation: %q", status)
	}
	for _, e := range c.EdgeURLs {
		if s := cacheStatus(t, e, small); s == "mediacdn; hit" {
			t.Errorf("%s%s still cached after the derived image was deleted", e, small)
		}
	}

	run(t, ctx, "create a named transformation",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/transformations"]`)), chromedp.WaitVisible(chromedp.CSS("#tx-name")),
		chromedp.SendKeys(chromedp.CSS("#tx-name"), "thumb"), chromedp.SendKeys(chromedp.CSS("#tx-definition"), "c_fill,w_50,h_50"),
		chromedp.Click(chromedp.CSS("#create")), chromedp.WaitVisible(chromedp.CSS("#saved-definition")))
	run(t, ctx, "preview an edit on shelf/rocket",
		chromedp.SetValue(chromedp.CSS("#definition"), "c_fill,w_60,h_30"), chromedp.SendKeys(chromedp.CSS("#preview-asset"), "shelf/rocket"),
		chromedp.Click(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("#preview-image")))
	if w := value(t, ctx, "load the preview", chromedp.Poll[int](
		`(() => { const i = document.querySelector("#preview-image"); return i && i.complete && i.naturalWidth; })()`)); w != 60 {
		t.Errorf("preview width %d, want 60", w)
	}
	screenshot(t, ctx, "transformation")
	run(t, ctx, "build t_thumb's URL of shelf/rocket",
		chromedp.Navigate(c.OriginURL+"/console/asset?rt=image&type=upload&id=shelf%2Frocket"), chromedp.WaitVisible(chromedp.CSS("#builder-named")),
		chromedp.SetValue(chromedp.CSS("#builder-named"), "t_thumb"), chromedp.Click(chromedp.CSS("#build")),
		chromedp.WaitVisible(chromedp.CSS("#built-image")))
	if w := value(t, ctx, "load the built URL", chromedp.Poll[int](
		`(() => { const i = document.querySelector("#built-image"); return i && i.complete && i.naturalWidth; })()`)); w != 50 {
		t.Errorf("t_thumb through the edge: width %d, want 50", w)
	}
	thumbURL := value(t, ctx, "read the built URL", chromedp.Text(chromedp.CSS("#built-url")))
	thumbPath := strings.TrimPrefix(thumbURL, "http://"+edgeAddr)
	if !strings.Contains(thumbPath, "/t_thumb/") {
		t.Fatalf("built URL %s", thumbURL)
	}

	run(t, ctx, "open purges and edges", chromedp.Click(chromedp.CSS(`nav a[href="/console/purges"]`)),
		chromedp.WaitVisible(chromedp.CSS("#edges")))
	edgeIDs := value(t, ctx, "read the edges", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#edges tbody tr td:first-child")].map(td => td.textContent)`))
	if strings.Join(edgeIDs, ",") != strings.Join(c.EdgeIDs, ",") {
		t.Errorf("edges shown %v, running %v", edgeIDs, c.EdgeIDs)
	}
	for _, e := range c.EdgeURLs {
		cacheStatus(t, e, small)
	}
	run(t, ctx, "purge the prefix shelf/",
		chromedp.Click(chromedp.CSS(`input[name="scope"][value="prefix"]`)),
		chromedp.SendKeys(chromedp.CSS("#purge-value"), "shelf/"),
		chromedp.Click(chromedp.CSS("#purge")),
		chromedp.WaitVisible(chromedp.CSS(`[data-invalidation][data-status="applied"]`)))
	status = value(t, ctx, "read the purge's status", chromedp.Text(chromedp.CSS("[data-invalidation] .inv-status")))
	if status != "applied (2 of 2 edges)" {
		t.Errorf("prefix purge: %q", status)
	}
	for _, e := range c.EdgeURLs {
		if s := cacheStatus(t, e, small); s == "mediacdn; hit" {
			t.Errorf("%s%s still cached after the prefix purge", e, small)
		}
	}
	for _, e := range c.EdgeURLs {
		cacheStatus(t, e, thumbPath)
		if s := cacheStatus(t, e, thumbPath); s != "mediacdn; hit" {
			t.Fatalf("%s%s not cached: %s", e, thumbPath, s)
		}
	}
	run(t, ctx, "purge the named transformation t_thumb",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/purges"]`)), chromedp.WaitVisible(chromedp.CSS("#purge-named")),
		chromedp.Click(chromedp.CSS("#purge-named")),
		chromedp.SendKeys(chromedp.CSS("#purge-value"), "t_thumb"),
		chromedp.Click(chromedp.CSS("#purge")),
		chromedp.WaitVisible(chromedp.CSS(`[data-invalidation][data-status="applied"]`)))
	for _, e := range c.EdgeURLs {
		if s := cacheStatus(t, e, thumbPath); s == "mediacdn; hit" {
			t.Errorf("%s%s still cached after the purge of t_thumb", e, thumbPath)
		}
	}
	screenshot(t, ctx, "purges")
	fitsPhone(t, ctx, "purges", chromedp.CSS("#edges"))

	run(t, ctx, "open usage", chromedp.Click(chromedp.CSS(`nav a[href="/console/usage"]`)), chromedp.WaitVisible(chromedp.CSS("#usage")),
		chromedp.WaitVisible(chromedp.CSS("#limits-chart .chart-used")), chromedp.WaitVisible(chromedp.CSS("figure.history svg")))
	screenshot(t, ctx, "usage")
	fitsPhone(t, ctx, "usage", chromedp.CSS("#usage"))

	run(t, ctx, "replace the file of shelf/chelsea",
		chromedp.Navigate(c.OriginURL+"/console/asset?rt=image&type=upload&id=shelf%2Fchelsea"), chromedp.WaitVisible(chromedp.CSS("#overwrite-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#overwrite-file"), []string{testkit.Path(t, "rocket.jpg")}),
		chromedp.Click(chromedp.CSS("#overwrite-start")), chromedp.WaitVisible(chromedp.CSS("p.done")))
	if done := value(t, ctx, "read the replacement", chromedp.Text(chromedp.CSS("p.done"))); !strings.HasPrefix(done, "Replaced: version ") {
		t.Errorf("replacing the file: %q", done)
	}
	var chelsea struct {
		Format string `json:"format"`
	}
	getJSON(t, c.OriginURL+"/v1_1/demo/resources/image/upload/shelf/chelsea", &chelsea)
	if chelsea.Format != "jpg" {
		t.Errorf("shelf/chelsea after its file was replaced by a JPEG: %s", chelsea.Format)
	}

	run(t, ctx, "bulk-delete the prefix shelf/",
		chromedp.Click(chromedp.CSS(`nav a[href="/console/library"]`)), chromedp.WaitVisible(chromedp.CSS("a.folder")),
		chromedp.Click(chromedp.CSS(`a.folder[href$="prefix=shelf%2f"]`)), chromedp.WaitVisible(chromedp.CSS(`input[name="scope"][value="prefix"]`)),
		chromedp.Click(chromedp.CSS(`input[name="scope"][value="prefix"]`)),
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`), // the form asks first
		chromedp.Click(chromedp.CSS("#bulk-delete")),
		chromedp.WaitVisible(chromedp.CSS("p.done")),
		chromedp.WaitVisible(chromedp.CSS(`[data-invalidation][data-status="applied"]`)))
	if done := value(t, ctx, "read the bulk deletion", chromedp.Text(chromedp.CSS("p.done"))); done != "Deleted 2 assets in 1 Admin API call(s)" {
		t.Errorf("bulk deletion: %q", done)
	}
	for _, e := range c.EdgeURLs {
		if g := testkit.Get(t, e+small); g.Status != http.StatusNotFound {
			t.Errorf("%s%s after the bulk deletion: %d", e, small, g.Status)
		}
	}

	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#api_key")),
		chromedp.Navigate(c.OriginURL+"/console/library"), chromedp.WaitVisible(chromedp.CSS("#api_key")))
	loc := value(t, ctx, "read the location", chromedp.Location())
	if loc != c.OriginURL+"/console/signin" {
		t.Errorf("library after sign-out: %s", loc)
	}
}

// getJSON GETs an Admin API URL with the demo cloud's credentials.
func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth("demo_key", "demo_secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
}
