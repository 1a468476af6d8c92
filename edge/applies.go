package edge

import (
	"encoding/json"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/mediacdn/mediacdn/metrics"
	"github.com/mediacdn/mediacdn/purge"
)

// ApplyLog says when the edge applied its newest purge rules
// (*purge.Subscriber); an edge's Sync may implement it.
type ApplyLog interface {
	// Applies returns the remembered applies above stream sequence seq,
	// oldest first.
	Applies(seq uint64) []purge.Apply
	// ApplyDelay is the histogram of stream stored → applied delays.
	ApplyDelay() *metrics.Histogram
}

var pathApplies = []byte("/purge/applies")

// appliesAnswer is the body of /purge/applies.
type appliesAnswer struct {
	// Applied is the last applied stream sequence.
	Applied uint64 `json:"applied"`
	// Applies are the remembered applies above ?after= (default 0).
	Applies []purge.Apply `json:"applies"`
}

// applyLog is the edge's ApplyLog, nil when its Sync has none.
func (s *Server) applyLog() ApplyLog {
	l, _ := s.sync.(ApplyLog)
	return l
}

// writeApplies answers /purge/applies on the metrics listener: the last
// applied purge sequence and when each of the newest rules above ?after=
// was applied (the moment the cache stopped serving what it covers), as
// JSON. Without a subscriber it answers 404.
func (s *Server) writeApplies(ctx *fasthttp.RequestCtx) {
	l := s.applyLog()
	if l == nil {
		ctx.Error("Not found", fasthttp.StatusNotFound)
		return
	}
	var after uint64
	if v := ctx.QueryArgs().Peek("after"); len(v) > 0 {
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			ctx.Error("after must be a stream sequence", fasthttp.StatusBadRequest)
			return
		}
		after = n
	}
	ans := appliesAnswer{Applied: s.sync.State().Applied, Applies: l.Applies(after)}
	if ans.Applies == nil {
		ans.Applies = []purge.Apply{}
	}
	body, _ := json.Marshal(ans)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(body)
}
