package origin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/blob"
	"github.com/mediacdn/mediacdn/origin/imaging"
	"github.com/mediacdn/mediacdn/origin/meta"
	"github.com/mediacdn/mediacdn/origin/remote"
)

// Server is the origin: the Upload API under /v1_1/<cloud>/, and (in later
// files) the Admin API and delivery for edges.
type Server struct {
	cfg    Config
	clouds config.Clouds
	hosts  delivery.HostMap // the clouds' private-CDN hosts (deliver.go)
	meta   meta.Store
	blobs  blob.Store
	images *imaging.Processor
	events Events
	purger *Purger
	log    *slog.Logger
	fetch  *remote.Fetcher
	chunks *chunkStore
	now    func() time.Time
	// proxies are the trusted proxies, nil for none (deliver_access.go).
	proxies *delivery.ClientIP
	// holder names this origin in the leases of the metadata store
	// (random, new at every start).
	holder string
	// spool holds the files of the uploads being served (upload_spool.go);
	// uploads bounds those requests (upload_slots.go).
	spool   api.Spool
	uploads *uploadSlots

	// flights makes one transform per missing derived image; waiters
	// stops one nobody waits for any more (deliver_waiters.go).
	flights singleflight.Group
	waiters waiters
	// pending holds derived images made but not yet recorded, by flight
	// key (*delivered); recordSlots bounds the background recordings and
	// recording counts them.
	pending     sync.Map
	recordSlots chan struct{}
	recording   *recordings
	// transforms counts transforms started (a metric, and for tests).
	transforms atomic.Int64
	// m holds the other Prometheus counters (metrics.go).
	m *counters
	// analyses counts image analyses computed (for tests).
	analyses atomic.Int64
	// regexps holds the compiled strregex patterns of metadata fields
	// (metadata_regexps.go).
	regexps *regexCache
	// limits is the Admin API's hourly rate limit (admin.go).
	limits *api.RateLimiter
	// unsignedCounts counts unsigned uploads (upload_unsigned.go).
	unsignedCounts api.Counter
	// analyser analyses uploaded images in the background.
	analyser *analyser
	// fetching bounds the fetch delivery downloads in progress
	// (Fetch.MaxInFlight): one token per download.
	fetching chan struct{}
	// refreshing holds the fetch flights whose stored copy is being
	// refreshed in the background (deliver_fetch.go).
	refreshing sync.Map
	// fetchLeaseTTL is fetchRefreshLease; tests shorten it.
	fetchLeaseTTL time.Duration
	// webhooks sends the outbox's webhooks (webhooks_worker.go).
	webhooks *webhookSender
	// jobs does the background jobs: eager_async (jobs_worker.go).
	jobs *jobRunner
	// console serves /console/ (console_wire.go); nil when disabled.
	console http.Handler
	// usage records each cloud's daily usage figures (admin_usage_recorder.go).
	usage *usageRecorder
}

// maxBackgroundRecords bounds derived images waiting to be recorded.
const maxBackgroundRecords = 64

// Transforms is how many transforms the server has started.
func (s *Server) Transforms() int64 { return s.transforms.Load() }

// Analyses is how many asset versions the server has analysed (colours,
// perceptual hash, embedded metadata).
func (s *Server) Analyses() int64 { return s.analyses.Load() }

// Deps are the parts a Server is built from.
type Deps struct {
	Meta   meta.Store
	Blobs  blob.Store
	Images *imaging.Processor
	// Purger publishes purges over NATS (nil: none). When set and Events
	// is nil, it receives every mutation.
	Purger *Purger
	// Events receives every mutation; nil means Purger, else LogEvents.
	Events Events
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds a server from its parts.
func New(cfg Config, clouds config.Clouds, d Deps) (*Server, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Meta == nil || d.Blobs == nil || d.Images == nil || d.Log == nil {
		return nil, errors.New("origin: Meta, Blobs, Images and Log are required")
	}
	if d.Events == nil && d.Purger != nil {
		d.Events = d.Purger
	}
	if d.Events == nil {
		d.Events = LogEvents{Log: d.Log}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	hosts, err := hostMap(clouds)
	if err != nil {
		return nil, fmt.Errorf("origin: hosts: %w", err)
	}
	proxies, err := delivery.NewClientIP(cfg.TrustedProxies, cfg.ClientIPHeader) // validated
	if err != nil {
		return nil, err
	}
	chunks, err := newChunkStore(filepath.Join(cfg.DataDir, "chunks"))
	if err != nil {
		return nil, fmt.Errorf("origin: chunk store: %w", err)
	}
	spool, err := api.NewSpool(filepath.Join(cfg.DataDir, "uploads"))
	if err != nil {
		return nil, fmt.Errorf("origin: upload spool: %w", err)
	}
	s := &Server{cfg: cfg, clouds: clouds, hosts: hosts, proxies: proxies, meta: d.Meta, blobs: d.Blobs, images: d.Images,
		events: d.Events, purger: d.Purger, log: d.Log, now: d.Now, chunks: chunks, holder: meta.RandomHex(16), fetchLeaseTTL: fetchRefreshLease,
		spool: spool, uploads: newUploadSlots(cfg.Uploads), fetching: make(chan struct{}, cfg.Fetch.MaxInFlight),
		recordSlots: make(chan struct{}, maxBackgroundRecords), recording: newRecordings(), regexps: newRegexCache(),
		fetch: remote.New(remote.Options{Timeout: cfg.Fetch.Timeout, MaxRedirects: cfg.Fetch.MaxRedirects,
			AllowNetworks: cfg.Fetch.AllowNetworks, MaxSize: int64(cfg.MaxUploadSize)}), limits: api.NewRateLimiter(adminCounter(d.Meta)),
		unsignedCounts: unsignedCounter(d.Meta), m: newCounters()}
	s.analyser = newAnalyser(s)
	if s.console, err = s.newConsole(); err != nil {
		return nil, fmt.Errorf("origin: console: %w", err)
	}
	s.webhooks = newWebhookSender(s)
	s.jobs = newJobRunner(s)
	s.usage = newUsageRecorder(s)
	// Clouds with backup keep deleted and overwritten originals; named
	// transformations from configuration seed the store (admin*.go).
	d.Meta.SetBackupPolicy(func(cloud string) bool { return clouds[cloud].Backup })
	if err := s.seedNamed(context.Background()); err != nil {
		return nil, err
	}
	s.webhooks.start()
	s.jobs.start()
	s.usage.start()
	return s, nil
}

// ServeHTTP routes a request. Delivery and API requests are counted for
// the metrics; /healthz is not, and /metrics answers 404 (it is served by
// MetricsHandler, on a listener of its own).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/healthz":
		w.Write([]byte("ok\n"))
	case r.URL.Path == "/metrics":
		s.deliveryFail(w, delivery.Errorf(http.StatusNotFound, "Not found"))
	case strings.HasPrefix(r.URL.Path, "/v1_1/"):
		s.m.apiCalls.Add(1)
		s.counted(w, r, s.serveAPI)
	case s.console != nil && (r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, "/console/")):
		s.console.ServeHTTP(w, r)
	default:
		s.m.deliveries.Add(1)
		s.counted(w, r, s.serveDelivery)
	}
}

// serveAPI routes /v1_1/<cloud>/... The path is decoded first: the Node SDK
// percent-encodes slashes in IDs (even /resources%2Fimage%2Fupload).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimPrefix(r.URL.EscapedPath(), "/v1_1/")
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		api.WriteError(w, s.log, r, api.BadRequest("Malformed URL path"))
		return
	}
	cloudName, rest, _ := strings.Cut(decoded, "/")
	cl, ok := s.clouds[cloudName]
	if !ok || cloudName == "" {
		api.WriteError(w, s.log, r, delivery.Errorf(http.StatusUnauthorized, "Invalid cloud_name %s", api.Clip(cloudName)))
		return
	}
	c := &call{s: s, w: w, r: r, cloud: cloudName, cl: cl}
	if !c.routeInvalidations(rest) && !c.routeUpload(rest) && !c.routeAdmin(rest) {
		api.WriteError(w, s.log, r, delivery.Errorf(http.StatusNotFound, "Not found"))
	}
}

// call is one API request being served.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	cloud string
	cl    config.Cloud
	body  *trackedBody // an Upload API request's body (upload_body.go)
	// unsigned marks an unsigned upload; unsignedCounted, one counted
	// against the unsigned rates (upload_unsigned.go).
	unsigned, unsignedCounted bool
	// mdSchema is the cloud's structured metadata fields, read at most
	// once per call (metadata_values.go).
	mdSchema *mdSchema
	// notified are the notifications the call's change wrote, by asset
	// (webhooks.go): ok reports their IDs (reportNotified).
	notified map[string][]*meta.Notification
}

func (c *call) ctx() context.Context { return c.r.Context() }

func (c *call) fail(err error) { api.WriteError(c.w, c.s.log, c.r, err) }

func (c *call) ok(v any) {
	c.reportNotified()
	api.WriteJSON(c.w, http.StatusOK, v)
}

// routeUpload serves the Upload API: /<rt>/<action>, /upload and
// /delete_by_token. It reports false for paths it does not know.
func (c *call) routeUpload(rest string) bool {
	parts := strings.Split(rest, "/")
	var rt, action string
	switch len(parts) {
	case 1:
		rt, action = "auto", parts[0]
		if action != "upload" && action != "delete_by_token" {
			return false
		}
	case 2:
		rt, action = parts[0], parts[1]
	default:
		return false
	}
	switch rt {
	case "image", "video", "raw", "auto":
	case "all": // generate_archive's download_folder
		if action != "generate_archive" {
			return false
		}
	default:
		return false
	}
	e, ok := c.uploadRoute(action)
	if !ok {
		return false
	}
	// The SDKs' archive, multi and sprite download URLs are GETs
	// (upload_archive.go, upload_tagged.go).
	if c.r.Method != http.MethodPost && !(downloadable(action) && c.r.Method == http.MethodGet) {
		c.w.Header().Set("Allow", "POST")
		c.fail(delivery.Errorf(http.StatusMethodNotAllowed, "Method not allowed - use POST"))
		return true
	}
	// Credentials are checked, and the request counted among those in
	// progress, before its body is read; its file is read to disk, after
	// the credentials before it (upload_body.go).
	release, err := c.admitUpload(action)
	if err != nil {
		c.refuse(err)
		return true
	}
	defer release()
	p, err := c.readUpload(action)
	if p != nil { // a refused body may have spooled a file too
		defer p.Close() // its file, on every path
	}
	if err != nil {
		c.refuse(err)
		return true
	}
	// A Cloudinary parameter the server does not implement is refused
	// before anything is decoded, fetched or stored (upload_paramspec.go).
	if err := e.params.Check(p); err != nil {
		c.fail(err)
		return true
	}
	e.serve(rt, p)
	return true
}

// uploadEndpoint is one Upload API action: its Cloudinary parameters
// (upload_paramspec.go) and its handler.
type uploadEndpoint struct {
	params api.MethodParams
	serve  func(rt string, p *api.Params)
}

// uploadRoute returns an action's endpoint; false for an action the
// server does not route.
func (c *call) uploadRoute(action string) (uploadEndpoint, bool) {
	switch action {
	case "upload":
		return uploadEndpoint{uploadSpec(), c.upload}, true
	case "explicit":
		return uploadEndpoint{explicitSpec(), c.explicit}, true
	case "rename":
		return uploadEndpoint{renameSpec(), c.rename}, true
	case "destroy":
		return uploadEndpoint{destroySpec(), c.destroy}, true
	case "tags":
		return uploadEndpoint{tagsSpec(), c.tags}, true
	case "context":
		return uploadEndpoint{contextSpec(), c.context}, true
	case "text":
		return uploadEndpoint{textSpec(), c.text}, true
	case "delete_by_token":
		return uploadEndpoint{deleteByTokenSpec(), c.deleteByToken}, true
	case "generate_archive":
		return uploadEndpoint{generateArchiveSpec(), c.generateArchive}, true
	case "explode":
		return uploadEndpoint{explodeSpec(), c.explode}, true
	case "metadata":
		return uploadEndpoint{metadataSpec(), c.updateMetadata}, true
	case "multi":
		return uploadEndpoint{multiSpec(), c.multi}, true
	case "sprite":
		return uploadEndpoint{spriteSpec(), c.sprite}, true
	}
	return uploadEndpoint{}, false
}
