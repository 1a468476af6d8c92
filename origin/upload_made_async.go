package origin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// async=true on multi and sprite: the call checks its tag and
// notification_url, writes a job with its parameters and answers at once
// with status "processing", the tag and a batch ID. The job worker
// (jobs_worker.go) then runs the call as it would have run (multi, sprite),
// its store write notifying notification_url and the triggers as the call
// would have (webhooks_made.go). One that fails (no image has the tag, a
// limit) stores nothing and notifies its error; a busy server is tried
// again up to jobs.max_attempts. A job whose origin dies after the write
// and before the job is recorded done is run again: the result is
// overwritten, and notified, a second time.

// jobMade is the kind of an async multi's or sprite's job.
const jobMade = "made"

// madeJob is an async multi's or sprite's payload.
type madeJob struct {
	Action string `json:"action"` // multi or sprite
	// Params are the call's parameters, async and the signature left out.
	Params  map[string][]string `json:"params"`
	Tag     string              `json:"tag"`
	BatchID string              `json:"batch_id"`
	// NotificationURL is where a failure is notified ("": only the
	// triggers), signed with Algorithm and the API key's secret.
	NotificationURL string `json:"notification_url,omitempty"`
	Algorithm       string `json:"algorithm"`
	APIKey          string `json:"api_key"`
}

// madeFailure is the notification of an async multi or sprite that
// failed.
type madeFailure struct {
	notificationHead
	Status   string           `json:"status"`
	PublicID string           `json:"public_id"`
	BatchID  string           `json:"batch_id"`
	Error    api.ErrorMessage `json:"error"`
	notificationTail
}

// madeAsync queues action's job when the call asks for async, and
// answers; false when it does not (the call goes on).
func (c *call) madeAsync(action string, p *api.Params) bool {
	async, err := p.Bool("async", false)
	if err != nil || !async {
		if err != nil {
			c.fail(err)
		}
		return err != nil
	}
	tag, _, err := madeSource(p)
	if err == nil && p.Get("mode") == "download" {
		err = api.BadRequest("async is not supported with mode=download (the file is the answer)")
	}
	var to string
	if err == nil {
		to, err = notificationURL(p)
	}
	if err != nil {
		c.fail(err)
		return true
	}
	params := p.Map()
	for _, k := range []string{"async", "api_key", "timestamp", "signature"} {
		delete(params, k)
	}
	alg := signatureAlgorithm(p)
	params["signature_algorithm"] = []string{alg}
	job := madeJob{Action: action, Params: params, Tag: tag, BatchID: meta.RandomHex(32), NotificationURL: to,
		Algorithm: alg, APIKey: c.cl.APIKey}
	b, err := json.Marshal(job)
	if err == nil {
		cfg := c.s.cfg.Jobs
		err = c.s.meta.EnqueueJob(c.ctx(), &meta.Job{Cloud: c.cloud, Kind: jobMade, Payload: b,
			MaxAttempts: cfg.MaxAttempts, MaxQueued: cfg.MaxQueuedPerCloud})
	}
	if err != nil {
		c.fail(delivery.AsError(c.jobQueueFull(err)))
		return true
	}
	c.s.jobs.wake()
	c.ok(asyncAnswer{Status: "processing", PublicID: tag, BatchID: job.BatchID})
	return true
}

// runMadeJob runs an async multi or sprite as its call would have. Its
// success is notified by the call's store write; a failure by the
// notifications returned.
func (s *Server) runMadeJob(ctx context.Context, j meta.Job) ([]*meta.Notification, func(), error) {
	var job madeJob
	if err := json.Unmarshal(j.Payload, &job); err != nil {
		return nil, nil, fmt.Errorf("made job %d: %w", j.ID, err)
	}
	cl, ok := s.clouds[j.Cloud]
	if !ok {
		return nil, nil, fmt.Errorf("made job %d: unknown cloud %q", j.ID, j.Cloud)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/v1_1/"+j.Cloud+"/image/"+job.Action, nil)
	if err != nil {
		return nil, nil, err
	}
	w := api.NewRecorder()
	c := &call{s: s, w: w, r: req, cloud: j.Cloud, cl: cl}
	p := api.ParamsOfValues(job.Params)
	switch job.Action {
	case notifyMulti:
		c.multi("image", p)
	case notifySprite:
		c.sprite("image", p)
	default:
		return nil, nil, finalJobError{fmt.Errorf("made job %d: unknown action %q", j.ID, job.Action)}
	}
	if w.Status == http.StatusOK {
		return nil, nil, nil
	}
	var e struct {
		Error api.ErrorMessage `json:"error"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	failed := &delivery.Error{Status: w.Status, Message: e.Error.Message}
	now := timeJSON(s.now())
	b, err := json.Marshal(madeFailure{
		notificationHead: notificationHead{NotificationType: job.Action, Timestamp: now, RequestID: meta.RandomHex(16)},
		notificationTail: notificationTail{SignatureKey: job.APIKey, NotificationContext: notificationContext{
			TriggeredAt: now, TriggeredBy: map[string]string{"source": "api", "id": job.APIKey}}},
		Status: "failed", PublicID: job.Tag, BatchID: job.BatchID, Error: api.ErrorMessage{Message: failed.Message},
	})
	if err != nil {
		return nil, nil, err
	}
	ns, err := s.jobNotifications(ctx, j.Cloud, job.Action, job.NotificationURL, job.Algorithm, b)
	if err != nil {
		return nil, nil, err
	}
	if w.Status/100 == 4 && w.Status != 420 && w.Status != http.StatusTooManyRequests {
		return ns, nil, finalJobError{failed} // the tag or a parameter: not tried again
	}
	return ns, nil, failed
}
