package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// eager_async: an upload's or explicit's eager images made in the
// background. The call writes a job (meta.WithJob) in the same transaction
// as the asset, answers each eager transformation with status
// "processing", its batch_id and its would-be URLs, and the job worker
// (jobs_worker.go) makes them as delivery would (through the transform
// pool, recorded as derived resources), then writes the eager notification
// to the outbox for eager_notification_url (else notification_url). The
// derived URLs then deliver without a transform. docs/webhooks.md
// describes the notification.

// jobEager is the kind of an eager_async job; notifyEager the type of its
// notification.
const (
	jobEager    = "eager"
	notifyEager = "eager"
)

// eagerJob is an eager_async job's payload.
type eagerJob struct {
	ResourceType string   `json:"resource_type"`
	Type         string   `json:"type"`
	PublicID     string   `json:"public_id"`
	Version      int64    `json:"version"`
	Eager        []string `json:"eager"`
	BatchID      string   `json:"batch_id"`
	// NotificationURL is where the eager notification goes ("": none),
	// signed with Algorithm (sha1 or sha256) and the API key's secret.
	NotificationURL string `json:"notification_url,omitempty"`
	Algorithm       string `json:"algorithm"`
	APIKey          string `json:"api_key"`
}

// eagerNotification is Cloudinary's eager notification: the derived
// images made, or the error that stopped them.
type eagerNotification struct {
	notificationHead
	BatchID      string            `json:"batch_id"`
	AssetID      string            `json:"asset_id,omitempty"`
	PublicID     string            `json:"public_id"`
	Version      int64             `json:"version,omitempty"`
	ResourceType string            `json:"resource_type"`
	Type         string            `json:"type"`
	Eager        []eagerJSON       `json:"eager"`
	Error        *api.ErrorMessage `json:"error,omitempty"`
	notificationTail
}

// parseEagerAsync reads eager_async and eager_notification_url (an
// absolute http(s) URL).
func (o *uploadOptions) parseEagerAsync(p *api.Params) error {
	var err error
	if o.eagerAsync, err = p.Bool("eager_async", false); err != nil {
		return err
	}
	raw := p.Get("eager_notification_url")
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return api.BadRequest("Invalid eager_notification_url - %s", api.Clip(raw))
	}
	o.eagerNotificationURL = raw
	return nil
}

// eagerNow is the eager list made before the call answers: none with
// eager_async.
func (o *uploadOptions) eagerNow() []string {
	if o.eagerAsync {
		return nil
	}
	return o.eager
}

// withEagerJob returns ctx with the eager_async job of o (unchanged, and
// batch "", when there is none): the store's Put or Update under it writes
// the job in its transaction, or fails with meta.ErrJobQueueFull past
// jobs.max_queued_per_cloud.
func (c *call) withEagerJob(ctx context.Context, p *api.Params, o *uploadOptions) (_ context.Context, batch string) {
	if !o.eagerAsync || len(o.eager) == 0 {
		return ctx, ""
	}
	batch = meta.RandomHex(32)
	to := o.eagerNotificationURL
	if to == "" {
		to, _ = notificationURL(p) // checked by parseUploadOptions' caller
	}
	alg := signatureAlgorithm(p)
	cfg := c.s.cfg.Jobs
	return meta.WithJob(ctx, func(a *meta.Asset) (*meta.Job, error) {
		if a.ResourceType != delivery.Image {
			return nil, eagerNotForKind(a.ResourceType)
		}
		b, err := json.Marshal(eagerJob{ResourceType: a.ResourceType.String(), Type: a.Type.String(), PublicID: a.PublicID,
			Version: a.Version, Eager: o.eager, BatchID: batch, NotificationURL: to, Algorithm: alg, APIKey: c.cl.APIKey})
		if err != nil {
			return nil, err
		}
		return &meta.Job{Cloud: c.cloud, Kind: jobEager, Payload: b, MaxAttempts: cfg.MaxAttempts,
			MaxQueued: cfg.MaxQueuedPerCloud}, nil
	}), batch
}

// jobQueueFull is the answer to a call whose job would pass the cloud's
// queue bound: Cloudinary's 420.
func (c *call) jobQueueFull(err error) error {
	if errors.Is(err, meta.ErrJobQueueFull) {
		return &delivery.Error{Status: 420, Message: "Rate Limit Exceeded", RetryAfter: c.s.cfg.Jobs.RetryAfter}
	}
	return err
}

// eagerAsyncAnswer describes a's eager transformations being made in
// batch, as Cloudinary answers eager_async: each with status processing,
// the batch ID and the URLs it will have.
func (c *call) eagerAsyncAnswer(a *meta.Asset, eager []string, batch string) []eagerJSON {
	out := make([]eagerJSON, 0, len(eager))
	for _, e := range eager {
		tx, format := splitEagerFormat(e)
		if format == "" {
			format = a.Format
		}
		url, secure := c.assetURLs(a, tx, format)
		out = append(out, eagerJSON{Transformation: tx, Format: format, URL: url, SecureURL: secure,
			Status: "processing", BatchID: batch})
	}
	return out
}

// runEagerJob makes an eager_async job's images for the version the call
// left, as delivery makes them, and waits until they are recorded. The
// notification tells of them, or of the error.
func (s *Server) runEagerJob(ctx context.Context, j meta.Job) ([]*meta.Notification, func(), error) {
	var job eagerJob
	if err := json.Unmarshal(j.Payload, &job); err != nil {
		return nil, nil, fmt.Errorf("eager job %d: %w", j.ID, err)
	}
	cl, ok := s.clouds[j.Cloud]
	if !ok {
		return nil, nil, fmt.Errorf("eager job %d: unknown cloud %q", j.ID, j.Cloud)
	}
	c := &call{s: s, cloud: j.Cloud, cl: cl} // for URLs and signatures: no request
	rt, _ := delivery.ParseResourceType(job.ResourceType)
	typ, _ := delivery.ParseDeliveryType(job.Type)
	key := meta.Key{Cloud: j.Cloud, ResourceType: rt, Type: typ, PublicID: job.PublicID}
	a, images, err := s.makeEagerJob(ctx, c, key, job)
	n, nerr := s.eagerNotice(ctx, c, job, key, a, images, err)
	if nerr != nil {
		return nil, nil, nerr
	}
	return n, nil, err
}

// makeEagerJob makes job's images of the asset at key and checks that
// each is recorded.
func (s *Server) makeEagerJob(ctx context.Context, c *call, key meta.Key, job eagerJob) (*meta.Asset, []eagerJSON, error) {
	a, err := s.meta.Asset(ctx, key)
	if errors.Is(err, meta.ErrNotFound) || (err == nil && a.Version != job.Version) {
		return nil, nil, api.NotFound(job.PublicID) // deleted or overwritten meanwhile
	}
	if err != nil {
		return nil, nil, err
	}
	specs, err := s.eagerSpecs(ctx, key.Cloud, job.Eager, a.Format)
	if err != nil {
		return a, nil, err
	}
	keys := make([]meta.DerivedKey, len(specs))
	for i, sp := range specs {
		keys[i] = meta.DerivedKey{Version: a.Version, Transformation: sp.tx, Format: sp.format.String()}
		req := &deriveRequest{key: a.Key, tr: sp.tr, format: wantedFormat(sp.tr, sp.format), signed: true,
			cloud: c.cl, dk: keys[i]}
		if _, err := s.findOrMake(ctx, req, a); err != nil {
			return a, nil, err
		}
	}
	s.WaitRecorded()
	images := make([]eagerImage, len(specs))
	for i, sp := range specs {
		d, err := s.meta.Derived(ctx, a.Key, keys[i])
		if err != nil {
			return a, nil, fmt.Errorf("eager image %s not recorded: %w", sp.tx, err)
		}
		images[i] = eagerImage{tx: sp.tx, format: sp.format, width: d.Width, height: d.Height, size: d.Bytes}
	}
	return a, c.eagerAnswer(a, images), nil
}

// eagerNotice is the eager notification of job, to its notification URL
// and the cloud's eager triggers: the images made, or the error (failed
// is not nil). a is the asset (nil when it is gone).
func (s *Server) eagerNotice(ctx context.Context, c *call, job eagerJob, key meta.Key, a *meta.Asset, images []eagerJSON, failed error) ([]*meta.Notification, error) {
	now := timeJSON(s.now())
	n := eagerNotification{
		notificationHead: notificationHead{NotificationType: notifyEager, Timestamp: now, RequestID: meta.RandomHex(16)},
		notificationTail: notificationTail{SignatureKey: job.APIKey, NotificationContext: notificationContext{
			TriggeredAt: now, TriggeredBy: map[string]string{"source": "api", "id": job.APIKey}}},
		BatchID: job.BatchID, PublicID: key.PublicID, Version: job.Version, ResourceType: job.ResourceType,
		Type: job.Type, Eager: images,
	}
	if a != nil {
		n.AssetID = a.AssetID
	}
	if failed != nil {
		n.Error = &api.ErrorMessage{Message: delivery.AsError(failed).Message}
		n.Eager = []eagerJSON{}
	}
	b, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	return s.jobNotifications(ctx, c.cloud, notifyEager, job.NotificationURL, job.Algorithm, b)
}

// jobNotifications are a job's notifications of kind with body: one to
// to (unless "") and one to each trigger of the cloud for kind (read when
// the job ends), a URL named twice notified once.
func (s *Server) jobNotifications(ctx context.Context, cloud, kind, to, alg string, body []byte) ([]*meta.Notification, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second) // the job's may be over
	defer cancel()
	uris, err := s.meta.TriggerURIs(ctx, cloud, kind)
	if err != nil {
		return nil, err
	}
	var out []*meta.Notification
	var seen []string
	for _, u := range append([]string{to}, uris...) {
		if u == "" || slices.Contains(seen, u) {
			continue
		}
		seen = append(seen, u)
		out = append(out, s.outboxNotification(cloud, u, alg, body))
	}
	return out, nil
}

// outboxNotification is a job's notification of body for the outbox,
// under the webhooks' bounds (nil, and counted as dropped, when body is
// too large).
func (s *Server) outboxNotification(cloud, to, alg string, body []byte) *meta.Notification {
	cfg := s.cfg.Webhooks
	if len(body) > int(cfg.MaxBodySize) {
		s.webhooks.dropped.Add(1)
		s.log.Warn("webhook dropped: body too large", "cloud", cloud, "bytes", len(body))
		return nil
	}
	return &meta.Notification{Cloud: cloud, URL: to, Body: body, Algorithm: alg,
		RetryFor: cfg.RetryFor, MaxPending: cfg.MaxPendingPerCloud, Dropped: func() {
			s.webhooks.dropped.Add(1)
			s.log.Warn("webhook dropped: too many pending", "cloud", cloud)
		}}
}
