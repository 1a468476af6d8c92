package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// async=true: an upload stored in the background. The call reads the file
// (posted, a data URI, or fetched from its URL), keeps it in the blob
// store, writes a job with the upload's parameters and answers at once
// with status "pending", the public ID the asset will have and a batch
// ID. The job worker (jobs_worker.go) then runs the upload as the call
// would have (uploadFrom), its Put marking the job done in the same
// transaction (meta.WithJobDone: stored and notified once); notification_url
// gets the upload notification, written with the asset as every upload's
// is. An upload that fails (a corrupt file) stores nothing and notifies
// its error; a bad file fails at once, a busy server is tried again up to
// jobs.max_attempts. The kept file is removed when the job ends.

// jobUpload is the kind of an async upload's job.
const jobUpload = "upload"

// uploadJob is an async upload's payload.
type uploadJob struct {
	ResourceType string `json:"resource_type"`
	// Params are the upload's parameters (its upload preset applied),
	// public_id set to the ID answered.
	Params   map[string][]string `json:"params"`
	Blob     string              `json:"blob"` // the kept file
	Filename string              `json:"filename"`
	PublicID string              `json:"public_id"`
	Type     string              `json:"type"`
	BatchID  string              `json:"batch_id"`
	// NotificationURL is where a failure is notified ("": nowhere),
	// signed with Algorithm and the API key's secret.
	NotificationURL string `json:"notification_url,omitempty"`
	Algorithm       string `json:"algorithm"`
	APIKey          string `json:"api_key"`
}

// asyncAnswer is the answer of an async upload.
type asyncAnswer struct {
	Status   string `json:"status"`
	PublicID string `json:"public_id"`
	BatchID  string `json:"batch_id"`
}

// asyncFailure is the notification of an async upload that failed.
type asyncFailure struct {
	notificationHead
	Status       string           `json:"status"`
	PublicID     string           `json:"public_id"`
	BatchID      string           `json:"batch_id"`
	ResourceType string           `json:"resource_type"`
	Type         string           `json:"type"`
	Error        api.ErrorMessage `json:"error"`
	notificationTail
}

// uploadAsync reads the upload's file (a chunked upload's once its last
// chunk is in), keeps it and queues the job that stores it.
func (c *call) uploadAsync(rt string, p *api.Params, o *uploadOptions) {
	if o.returnDeleteToken { // the answer is gone by the time there is an asset to delete
		c.fail(api.BadRequest("Parameter return_delete_token is not supported by this server with async"))
		return
	}
	src, err := c.uploadedFile(p, o)
	if err != nil {
		c.fail(err)
		return
	}
	if src == nil {
		c.ok(map[string]any{"done": false}) // a chunk, not the last
		return
	}
	defer src.close()
	guess := fileKind{rt: delivery.Image}
	if rt == "raw" {
		guess.rt = delivery.Raw // its generated ID keeps the file's extension
	}
	id, _, err := choosePublicID(o, guess, src.Name)
	if err != nil {
		c.fail(err)
		return
	}
	key, _, _, err := c.s.writeBlobFrom(src.Reader())
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	params := p.Map()
	for _, k := range []string{"file", "async", "api_key", "timestamp", "signature", "upload_preset"} {
		delete(params, k)
	}
	params["public_id"] = []string{strings.TrimPrefix(id, o.folder+"/")}
	alg := signatureAlgorithm(p)
	params["signature_algorithm"] = []string{alg}
	to, _ := notificationURL(p)
	job := uploadJob{ResourceType: rt, Params: params, Blob: key, Filename: src.Name, PublicID: id, Type: o.typ.String(),
		BatchID: meta.RandomHex(32), NotificationURL: to, Algorithm: alg, APIKey: c.cl.APIKey}
	b, err := json.Marshal(job)
	if err == nil {
		cfg := c.s.cfg.Jobs
		err = c.s.meta.EnqueueJob(c.ctx(), &meta.Job{Cloud: c.cloud, Kind: jobUpload, Payload: b, Blob: key,
			MaxAttempts: cfg.MaxAttempts, MaxQueued: cfg.MaxQueuedPerCloud})
	}
	if err != nil {
		c.s.deleteBlobs(key)
		c.fail(delivery.AsError(c.jobQueueFull(err)))
		return
	}
	c.s.jobs.wake()
	c.ok(asyncAnswer{Status: "pending", PublicID: id, BatchID: job.BatchID})
}

// signatureAlgorithm is the hash a call's webhooks are signed with: that
// of its own signature.
func signatureAlgorithm(p *api.Params) string {
	if p.Get("signature_algorithm") == "sha256" || len(p.Get("signature")) == 64 {
		return "sha256"
	}
	return "sha1"
}

// runUploadJob runs an async upload as its call would have, from the kept
// file. Its success is notified by the upload itself; a failure by the
// notification returned.
func (s *Server) runUploadJob(ctx context.Context, j meta.Job) ([]*meta.Notification, func(), error) {
	var job uploadJob
	if err := json.Unmarshal(j.Payload, &job); err != nil {
		return nil, nil, fmt.Errorf("upload job %d: %w", j.ID, err)
	}
	cleanup := func() { s.deleteBlobs(job.Blob) }
	cl, ok := s.clouds[j.Cloud]
	if !ok {
		return nil, cleanup, fmt.Errorf("upload job %d: unknown cloud %q", j.ID, j.Cloud)
	}
	status, msg, err := s.replayUpload(ctx, j, cl, job)
	switch {
	case err != nil:
		return nil, cleanup, err
	case status == http.StatusOK:
		cleanup()
		return nil, nil, nil
	}
	failed := &delivery.Error{Status: status, Message: msg}
	n, err := s.asyncFailureNotice(ctx, j.Cloud, job, failed)
	if err != nil {
		return nil, cleanup, err
	}
	if status/100 == 4 && status != 420 && status != http.StatusTooManyRequests {
		return n, cleanup, finalJobError{failed} // the file or a parameter: not tried again
	}
	return n, cleanup, failed
}

// replayUpload runs the upload of job on its kept file, its store writes
// marking j done: the answer's status and, of a failure, its message.
func (s *Server) replayUpload(ctx context.Context, j meta.Job, cl config.Cloud, job uploadJob) (int, string, error) {
	src, err := s.newUpfile()
	if err != nil {
		return 0, "", err
	}
	if err := copyBlob(src, s, job.Blob, make([]byte, 256<<10)); err != nil {
		src.close()
		return 0, "", fmt.Errorf("upload job %d: the kept file: %w", j.ID, err)
	}
	src.Name = job.Filename
	p := api.ParamsOfValues(job.Params)
	o, err := parseUploadOptions(p)
	if err != nil {
		src.close()
		return 0, "", finalJobError{err}
	}
	req, err := http.NewRequestWithContext(meta.WithJobDone(ctx, j.ID, s.holder), http.MethodPost,
		"/v1_1/"+j.Cloud+"/"+job.ResourceType+"/upload", nil)
	if err != nil {
		src.close()
		return 0, "", err
	}
	w := api.NewRecorder()
	c := &call{s: s, w: w, r: req, cloud: j.Cloud, cl: cl}
	md, err := c.uploadMetadata(p) // checked again: the fields may have changed since the call
	if err != nil {
		src.close()
		return 0, "", finalJobError{err}
	}
	c.uploadFrom(job.ResourceType, p, o, md, src)
	if w.Status == http.StatusOK {
		return w.Status, "", nil
	}
	var e struct {
		Error api.ErrorMessage `json:"error"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	return w.Status, e.Error.Message, nil
}

// asyncFailureNotice is the notification of job's failure, to its
// notification URL and the cloud's upload triggers.
func (s *Server) asyncFailureNotice(ctx context.Context, cloud string, job uploadJob, failed *delivery.Error) ([]*meta.Notification, error) {
	now := timeJSON(s.now())
	b, err := json.Marshal(asyncFailure{
		notificationHead: notificationHead{NotificationType: notifyUpload, Timestamp: now, RequestID: meta.RandomHex(16)},
		notificationTail: notificationTail{SignatureKey: job.APIKey, NotificationContext: notificationContext{
			TriggeredAt: now, TriggeredBy: map[string]string{"source": "api", "id": job.APIKey}}},
		Status: "failed", PublicID: job.PublicID, BatchID: job.BatchID, ResourceType: job.ResourceType, Type: job.Type,
		Error: api.ErrorMessage{Message: failed.Message},
	})
	if err != nil {
		return nil, err
	}
	return s.jobNotifications(ctx, cloud, notifyUpload, job.NotificationURL, job.Algorithm, b)
}
