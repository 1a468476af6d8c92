package origin

import (
	"context"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Uploaded images are analysed (colours, perceptual hash, embedded
// metadata: origin/upload_analysis.go) in the background so that the Admin API's
// details answer from a stored result. That work decodes the whole image,
// so it must not compete with what clients wait for: one analysis runs at
// a time, each starts only once its version has been current for
// analysisSettle (an overwrite storm analyses only the version that
// stays), and when maxQueuedAnalyses are waiting, further uploads are left
// to be analysed when details first ask (which gives the same result).
const (
	analysisSettle    = time.Second
	maxQueuedAnalyses = 1024
)

// analysisJob is one asset version waiting to be analysed.
type analysisJob struct {
	key     meta.Key
	version int64
	due     time.Time
}

// analyser runs the background analyses of one Server.
type analyser struct {
	s      *Server
	settle time.Duration // analysisSettle; tests shorten it
	queue  chan analysisJob

	startOnce sync.Once
	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{}
}

func newAnalyser(s *Server) *analyser {
	return &analyser{s: s, settle: analysisSettle, queue: make(chan analysisJob, maxQueuedAnalyses),
		stop: make(chan struct{}), done: make(chan struct{})}
}

// add queues an image version for analysis; it never blocks.
func (an *analyser) add(a *meta.Asset) {
	if a.ResourceType != delivery.Image {
		return
	}
	an.startOnce.Do(func() { go an.run() })
	select {
	case an.queue <- analysisJob{key: a.Key, version: a.Version, due: time.Now().Add(an.settle)}:
	default:
		an.s.log.Debug("analysis queue full; analysing on first details call", "public_id", a.PublicID)
	}
}

// close stops the worker and waits for the analysis in progress, if any.
func (an *analyser) close() {
	an.stopOnce.Do(func() { close(an.stop) })
	an.startOnce.Do(func() { close(an.done) })
	<-an.done
}

func (an *analyser) run() {
	defer close(an.done)
	for {
		select {
		case <-an.stop:
			return
		case j := <-an.queue:
			if !an.waitUntil(j.due) {
				return
			}
			select {
			case <-an.stop: // stopped while this job was due
				return
			default:
			}
			an.analyse(j)
		}
	}
}

// waitUntil sleeps until t; false when the analyser is stopped first.
func (an *analyser) waitUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return true
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-an.stop:
		return false
	case <-tm.C:
		return true
	}
}

// analyse analyses the job's version if it is still the asset's current
// one.
func (an *analyser) analyse(j analysisJob) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := an.s.meta.Asset(ctx, j.key)
	if err != nil || a.Version != j.version {
		return // gone or overwritten since: nothing to analyse
	}
	if _, err := an.s.analysis(ctx, a); err != nil {
		an.s.log.Debug("analysis after upload", "public_id", a.PublicID, "err", err)
	}
}
