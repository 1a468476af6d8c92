package origin_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/purge"
)

// ruleLog reads the rules an origin stored in its purge stream, in order.
type ruleLog struct {
	t      testing.TB
	js     jetstream.JetStream
	name   string // the stream's
	seen   uint64 // the last sequence read
	origin int64  // versions are described relative to it
	// The origin's recorded events, and how many of them and of their
	// batches were read.
	ev                  *recordedEvents
	evSeen, batchesSeen int
}

// startPurgingOrigin starts an origin that publishes its purges on a NATS
// server of its own, on a clock that stands still (so that versions are
// known: a new asset's is the clock's second, each overwrite adds one).
func startPurgingOrigin(t *testing.T, cl config.Cloud) (*testOrigin, *ruleLog) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	srv, err := purge.StartEmbedded(purge.Embedded{Listen: "127.0.0.1:0",
		StoreDir: filepath.Join(t.TempDir(), "nats"), ReadyTimeout: 10 * time.Second}, "", log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	cfg := purge.Config{URLs: []string{srv.ClientURL()}}
	cfg.ApplyDefaults()
	nc, err := purge.Connect(cfg, "origin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	p, err := origin.NewPurger(nc, cfg, config.Clouds{cloudName: cl}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.Start(context.Background())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Truncate(time.Second)
	o := startOriginPurger(t, nil, func() time.Time { return start }, cl, p)
	return o, &ruleLog{t: t, js: js, name: cfg.StreamName(), origin: start.Unix(), ev: o.Events}
}

// next returns the rules stored since the last call.
func (l *ruleLog) next() []*purge.Rule {
	l.t.Helper()
	ctx := context.Background()
	s, err := l.js.Stream(ctx, l.name)
	if err != nil {
		l.t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		l.t.Fatal(err)
	}
	var out []*purge.Rule
	for l.seen < info.State.LastSeq {
		l.seen++
		m, err := s.GetMsg(ctx, l.seen)
		if err != nil {
			l.t.Fatal(err)
		}
		r, err := purge.DecodeRule(m.Data)
		if err != nil {
			l.t.Fatal(err)
		}
		r.Seq = m.Sequence
		out = append(out, r)
	}
	return out
}

// describe spells a rule for comparison: kind, what it selects, scope,
// transformations, mode, and the latest version relative to the clock.
func (l *ruleLog) describe(r *purge.Rule) string {
	s := string(r.Kind)
	switch r.Kind {
	case purge.KindAsset, purge.KindPrefix, purge.KindCreated:
		s += " " + r.Resource.String() + "/" + r.Type.String() + "/" + r.PublicID
	case purge.KindNamed:
		s += " t_" + r.Named
	}
	if r.Cloud != cloudName {
		s += " cloud=" + r.Cloud
	}
	if r.Scope != "" && r.Scope != purge.ScopeAll {
		s += " " + string(r.Scope)
	}
	if len(r.Transformations) > 0 {
		s += " [" + strings.Join(r.Transformations, " ") + "]"
	}
	if r.Mode.Invalidation != "" {
		s += " " + string(r.Mode.Invalidation)
		if r.Mode.VersionedURLs {
			s += "+versioned"
		}
	}
	if r.LatestVersion != 0 {
		s += " v+" + strconv.FormatInt(int64(r.LatestVersion)-l.origin, 10)
	}
	return s
}

// expect checks the rules stored since the last call, in order.
func (l *ruleLog) expect(step string, want ...string) []*purge.Rule {
	l.t.Helper()
	rules := l.next()
	got := make([]string, len(rules))
	for i, r := range rules {
		got[i] = l.describe(r)
	}
	if len(want) == 0 {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		l.t.Errorf("%s: rules\n\t%s\nwant\n\t%s", step, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	return rules
}

// skipEvents passes over the events emitted since the last call.
func (l *ruleLog) skipEvents() {
	l.ev.mu.Lock()
	defer l.ev.mu.Unlock()
	l.evSeen, l.batchesSeen = len(l.ev.events), len(l.ev.batches)
}

// events checks the events emitted since the last call, in order, and
// that one Emit carried them all.
func (l *ruleLog) events(step string, want ...string) {
	l.t.Helper()
	l.ev.mu.Lock()
	evs, batches := l.ev.events[l.evSeen:], len(l.ev.batches)-l.batchesSeen
	l.ev.mu.Unlock()
	l.skipEvents()
	got := make([]string, len(evs))
	for i, e := range evs {
		got[i] = describeEvent(e)
	}
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) || batches != 1 {
		l.t.Errorf("%s: %d Emit calls of events\n\t%s\nwant 1 of\n\t%s", step, batches, strings.Join(got, "\n\t"),
			strings.Join(want, "\n\t"))
	}
}

// describeEvent spells an event for comparison: kind, what it is about
// (an asset, a prefix*, a named transformation or all), derived,
// transformations, invalidate.
func describeEvent(e origin.Event) string {
	s := string(e.Kind) + " "
	switch {
	case e.Named != "":
		s += e.Named
	case e.All:
		s += "all"
	case e.Asset.PublicID != "":
		s += e.Asset.ResourceType.String() + "/" + e.Asset.Type.String() + "/" + e.Asset.PublicID
	default:
		s += e.Asset.ResourceType.String() + "/" + e.Asset.Type.String() + "/" + e.Prefix + "*"
	}
	if e.Derived {
		s += " derived"
	}
	if len(e.Transformations) > 0 {
		s += " [" + strings.Join(e.Transformations, " ") + "]"
	}
	if e.Invalidate {
		s += " invalidate"
	}
	return s
}

// invalidationOf checks that an answer reports rules as one invalidation:
// the first rule's id, the last rule's sequence.
func invalidationOf(t *testing.T, step string, a adminAnswer, rules []*purge.Rule) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("%s: %d %s", step, a.status, a.raw)
	}
	inv, _ := a.body["invalidation"].(map[string]any)
	if len(rules) == 0 {
		if inv != nil {
			t.Errorf("%s: invalidation %v with no rule published", step, inv)
		}
		return
	}
	if inv == nil || inv["id"] != rules[0].ID || inv["sequence"] != float64(rules[len(rules)-1].Seq) {
		t.Errorf("%s: invalidation %v, want id %s sequence %d", step, inv, rules[0].ID, rules[len(rules)-1].Seq)
	}
}

// form encodes name, value pairs.
func formOf(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

const formType = "application/x-www-form-urlencoded"

// The rules every purging call publishes, read back from the stream, for a
// cloud in legacy mode with invalidate_versioned_urls (so that the mode
// and the latest version each rule carries show): upload, overwrite,
// rename, destroy and access-mode changes; bulk deletions by public IDs,
// prefix, tag, asset IDs and all, with keep_original and transformations;
// derived resources and transformations, named or not; and every kind of
// operator invalidation. The rules of one call are one invalidation: the
// answer reports the first rule's id and the last rule's sequence.
func TestPurgeRulesOfEveryCall(t *testing.T) {
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret, Invalidation: config.Legacy,
		InvalidateVersionedURLs: true, NamedTransformations: map[string]string{"thumb": "c_fill,h_30,w_30"}}
	o, rules := startPurgingOrigin(t, cl)
	ctx := context.Background()

	for _, id := range []string{"k", "pre/a", "pre/b", "m", "r"} {
		uploadAs(t, o, "rocket.jpg", id)
	}
	if res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "tag/c",
		Tags: api.CldAPIArray{"old"}}); sdkFailure(err, res) != "" {
		t.Fatalf("upload tag/c: %s", sdkFailure(err, res))
	}
	rules.expect("uploads", "created image/upload/k", "created image/upload/pre/a", "created image/upload/pre/b",
		"created image/upload/m", "created image/upload/r", "created image/upload/tag/c")

	if res, err := o.Cld.Upload.Upload(ctx, testkit.Path(t, "chelsea.png"), uploader.UploadParams{PublicID: "k",
		Overwrite: api.Bool(true), Invalidate: api.Bool(true)}); sdkFailure(err, res) != "" {
		t.Fatalf("overwrite k: %s", sdkFailure(err, res))
	}
	rules.expect("overwrite with invalidate", "asset image/upload/k legacy+versioned v+0")

	for _, p := range []string{"w_40/k.jpg", "w_50/k.jpg", "t_thumb/k.jpg", "w_60/pre/a.jpg", "w_40/pre/b.jpg"} {
		if f := testkit.Get(t, o.URL+"/demo/image/upload/"+p); f.Status != 200 {
			t.Fatalf("%s: %d", p, f.Status)
		}
	}
	rules.expect("derived images made")
	rules.skipEvents()

	a := adminDo(t, o, http.MethodDelete, "resources/image/upload", formType,
		formOf("public_ids[]", "k", "public_ids[]", "nope", "transformations", "w_40", "invalidate", "true"))
	invalidationOf(t, "by public IDs, transformations", a, rules.expect("by public IDs, transformations",
		"asset image/upload/k transformations [w_40] legacy+versioned v+1",
		"asset image/upload/nope transformations [w_40] legacy+versioned"))
	rules.events("by public IDs, transformations", "derived_deleted image/upload/k derived [w_40] invalidate",
		"invalidated image/upload/nope derived [w_40] invalidate")

	var w50 string
	for _, d := range adminGet(t, o, "resources/image/upload/k").body["derived"].([]any) {
		if d := d.(map[string]any); d["transformation"] == "w_50" {
			w50 = d["id"].(string)
		}
	}
	a = adminDo(t, o, http.MethodDelete, "derived_resources", formType,
		formOf("derived_resource_ids[]", w50, "derived_resource_ids[]", "999999", "invalidate", "true"))
	invalidationOf(t, "derived resources", a, rules.expect("derived resources",
		"asset image/upload/k transformations [w_50] legacy+versioned v+1"))
	rules.events("derived resources", "derived_deleted image/upload/k derived [w_50] invalidate")

	a = adminDo(t, o, http.MethodDelete, "transformations", formType, formOf("transformation", "t_thumb"))
	invalidationOf(t, "named transformation", a, rules.expect("named transformation", "named t_thumb"))
	rules.events("named transformation", "derived_deleted image/upload/k derived [t_thumb]",
		"transformation_deleted t_thumb invalidate")

	a = adminDo(t, o, http.MethodDelete, "transformations", formType, formOf("transformation", "w_60"))
	invalidationOf(t, "unnamed transformation", a, rules.expect("unnamed transformation",
		"asset image/upload/pre/a transformations [w_60] legacy+versioned v+0"))
	rules.events("unnamed transformation", "derived_deleted image/upload/pre/a derived [w_60] invalidate")

	a = adminDo(t, o, http.MethodDelete, "resources/image/upload", formType,
		formOf("prefix", "pre/", "keep_original", "true", "invalidate", "true"))
	invalidationOf(t, "by prefix, keep_original", a, rules.expect("by prefix, keep_original",
		"prefix image/upload/pre/ derived legacy+versioned"))
	rules.events("by prefix, keep_original", "derived_deleted image/upload/pre/a derived",
		"derived_deleted image/upload/pre/b derived", "prefix_deleted image/upload/pre/* derived invalidate")

	a = adminDo(t, o, http.MethodDelete, "resources/image/upload", formType,
		formOf("prefix", "pre/", "prefix", "none/", "transformations", "w_40|c_scale,w_10/png"))
	invalidationOf(t, "by prefix without invalidate", a, rules.expect("by prefix without invalidate"))
	rules.events("by prefix without invalidate",
		"derived_deleted image/upload/pre/a derived [w_40 c_scale,w_10/png]",
		"derived_deleted image/upload/pre/b derived [w_40 c_scale,w_10/png]",
		"prefix_deleted image/upload/pre/* derived [w_40 c_scale,w_10/png]",
		"prefix_deleted image/upload/none/* derived [w_40 c_scale,w_10/png]")

	a = adminDo(t, o, http.MethodDelete, "resources/image/upload", formType,
		formOf("prefix", "pre/", "prefix", "none/", "transformations", "w_40|c_scale,w_10/png", "invalidate", "true"))
	invalidationOf(t, "by prefixes, transformations", a, rules.expect("by prefixes, transformations",
		"prefix image/upload/pre/ transformations [w_40 c_scale,w_10] legacy+versioned",
		"prefix image/upload/none/ transformations [w_40 c_scale,w_10] legacy+versioned"))
	rules.events("by prefixes, transformations",
		"derived_deleted image/upload/pre/a derived [w_40 c_scale,w_10/png]",
		"derived_deleted image/upload/pre/b derived [w_40 c_scale,w_10/png]",
		"prefix_deleted image/upload/pre/* derived [w_40 c_scale,w_10/png] invalidate",
		"prefix_deleted image/upload/none/* derived [w_40 c_scale,w_10/png] invalidate")

	a = adminDo(t, o, http.MethodDelete, "resources/image/tags/old", formType, formOf("invalidate", "true"))
	invalidationOf(t, "by tag", a, rules.expect("by tag", "asset image/upload/tag/c legacy+versioned v+0"))
	rules.events("by tag", "destroyed image/upload/tag/c invalidate")

	b := adminGet(t, o, "resources/image/upload/pre/b")
	a = adminDo(t, o, http.MethodDelete, "resources", formType,
		formOf("asset_ids[]", b.body["asset_id"].(string), "keep_original", "true", "invalidate", "true"))
	invalidationOf(t, "by asset IDs, keep_original", a, rules.expect("by asset IDs, keep_original",
		"asset image/upload/pre/b derived legacy+versioned v+0"))
	rules.events("by asset IDs, keep_original", "derived_deleted image/upload/pre/b derived invalidate")

	a = adminDo(t, o, http.MethodPost, "resources/image/upload/update_access_mode", formType,
		formOf("public_ids[]", "r", "access_mode", "authenticated"))
	invalidationOf(t, "access mode", a, rules.expect("access mode", "asset image/upload/r global"))

	if _, err := o.Cld.Upload.Rename(ctx, uploader.RenameParams{FromPublicID: "m", ToPublicID: "n",
		Invalidate: api.Bool(true)}); err != nil {
		t.Fatalf("rename: %v", err)
	}
	rules.expect("rename with invalidate", "asset image/upload/m legacy+versioned v+0", "created image/upload/n")

	if res, err := o.Cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "r",
		Invalidate: api.Bool(true)}); sdkFailure(err, res) != "" {
		t.Fatalf("destroy: %s", sdkFailure(err, res))
	}
	rules.expect("destroy with invalidate", "asset image/upload/r legacy+versioned v+0")
	rules.skipEvents()

	a = adminDo(t, o, http.MethodDelete, "resources/image/upload", formType, formOf("all", "true", "invalidate", "true"))
	invalidationOf(t, "all", a, rules.expect("all", "prefix image/upload/ legacy+versioned"))
	rules.events("all", "destroyed image/upload/k", "destroyed image/upload/pre/a", "destroyed image/upload/pre/b",
		"destroyed image/upload/n", "prefix_deleted image/upload/* invalidate")

	for _, c := range []struct {
		form  string
		want  []string
		event string
	}{
		{formOf("public_id", "p", "resource_type", "video", "type", "private"),
			[]string{"asset video/private/p legacy+versioned"}, "invalidated video/private/p invalidate"},
		{formOf("prefix", "q/"), []string{"prefix image/upload/q/ legacy+versioned"}, "invalidated image/upload/q/* invalidate"},
		{formOf("prefix", ""), []string{"prefix image/upload/ legacy+versioned"}, "invalidated image/upload/* invalidate"},
		{formOf("transformation", "t_thumb"), []string{"named t_thumb"}, "invalidated t_thumb invalidate"},
		{formOf("all", "true", "resource_type", "raw"), []string{"flush"}, "invalidated all invalidate"},
	} {
		a := adminDo(t, o, http.MethodPost, "invalidations", formType, c.form)
		invalidationOf(t, "invalidation "+c.form, wrapInvalidation(a), rules.expect("invalidation "+c.form, c.want...))
		rules.events("invalidation "+c.form, c.event)
	}
	a = adminDo(t, o, http.MethodPost, "invalidations", formType, formOf("transformation", "t_"))
	if a.status != http.StatusBadRequest || !strings.Contains(a.errorMessage(), "needs a name") {
		t.Errorf("invalidation of t_: %d %s", a.status, a.raw)
	}
	rules.expect("invalid invalidation")
	if n := len(o.Events.all()); n != rules.evSeen {
		t.Errorf("invalid invalidation: %d events emitted", n-rules.evSeen)
	}
}

// wrapInvalidation puts an invalidation's answer (the status itself) where
// invalidationOf looks for it.
func wrapInvalidation(a adminAnswer) adminAnswer {
	if a.status == http.StatusOK {
		a.body = map[string]any{"invalidation": a.body}
	}
	return a
}

// When the purge stream cannot store a call's rules, the call answers 503
// (its change stands, and a retry publishes the purge); an upload, whose
// "created" rule is housekeeping, succeeds all the same.
func TestPurgeNotPublished(t *testing.T) {
	cl := config.Cloud{APIKey: apiKey, APISecret: apiSecret,
		NamedTransformations: map[string]string{"thumb": "c_fill,h_30,w_30"}}
	o, rules := startPurgingOrigin(t, cl)
	uploadAs(t, o, "rocket.jpg", "a")
	if f := testkit.Get(t, o.URL+"/demo/image/upload/w_40/a.jpg"); f.Status != 200 {
		t.Fatalf("derived: %d", f.Status)
	}
	derived := adminGet(t, o, "resources/image/upload/a").body["derived"].([]any)
	if err := rules.js.DeleteStream(context.Background(), rules.name); err != nil {
		t.Fatal(err)
	}
	uploadAs(t, o, "rocket.jpg", "b")
	for _, c := range []struct{ method, path, form, msg string }{
		{http.MethodDelete, "resources/image/upload", formOf("public_ids[]", "b", "invalidate", "true"),
			"The resources were deleted but their invalidation could not be published - retry the request"},
		{http.MethodDelete, "derived_resources",
			formOf("derived_resource_ids[]", derived[0].(map[string]any)["id"].(string), "invalidate", "true"),
			"The derived resources were deleted but their invalidation could not be published - retry the request"},
		{http.MethodDelete, "transformations", formOf("transformation", "t_thumb"),
			"The transformation was deleted but its invalidation could not be published - retry the request"},
		{http.MethodPost, "invalidations", formOf("prefix", "x/"),
			"The invalidation could not be published - retry the request"},
	} {
		a := adminDo(t, o, c.method, c.path, formType, c.form)
		if a.status != http.StatusServiceUnavailable || a.errorMessage() != c.msg {
			t.Errorf("%s %s %s: %d %s, want 503 %q", c.method, c.path, c.form, a.status, a.raw, c.msg)
		}
	}
	if a := adminGet(t, o, "resources/image/upload/b"); a.status != http.StatusNotFound {
		t.Errorf("b after its deletion: %d %s", a.status, a.raw)
	}
}
