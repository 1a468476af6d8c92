package origin

import (
	"math"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// usageJSON is GET /usage's answer, field for field as the Go SDK's
// admin.UsageResult decodes it.
type usageJSON struct {
	Plan             string          `json:"plan"`
	LastUpdated      string          `json:"last_updated"`
	Date             string          `json:"date"`
	Transformations  usageEntry      `json:"transformations"`
	Objects          usageEntry      `json:"objects"`
	Bandwidth        usageEntry      `json:"bandwidth"`
	Storage          usageEntry      `json:"storage"`
	Requests         int64           `json:"requests"`
	Resources        int64           `json:"resources"`
	DerivedResources int64           `json:"derived_resources"`
	MediaLimits      mediaLimitsJSON `json:"media_limits"`
}

type usageEntry struct {
	Usage       int64   `json:"usage"`
	Limit       int64   `json:"limit"`
	UsedPercent float64 `json:"used_percent"`
}

type mediaLimitsJSON struct {
	ImageMaxSizeBytes int64 `json:"image_max_size_bytes"`
	VideoMaxSizeBytes int64 `json:"video_max_size_bytes"`
	RawMaxSizeBytes   int64 `json:"raw_max_size_bytes"`
	ImageMaxPx        int64 `json:"image_max_px"`
	AssetMaxTotalPx   int64 `json:"asset_max_total_px"`
}

func entry(usage, limit int64) usageEntry {
	e := usageEntry{Usage: usage, Limit: limit}
	if limit > 0 {
		e.UsedPercent = math.Round(float64(usage)*10000/float64(limit)) / 100
	}
	return e
}

// usage serves GET /usage and /usage/<dd-mm-yyyy> (today's date only: no
// history is kept). Bandwidth and requests are what every edge reported
// serving, for all clouds together (edges do not count per cloud).
func (c *call) usage(date string, _ *api.Params) {
	today := c.s.now().UTC()
	if date != "" {
		d, err := time.Parse("02-01-2006", date)
		if err != nil {
			c.fail(api.BadRequest("Invalid date - %s (want dd-mm-yyyy)", api.Clip(date)))
			return
		}
		if d.Format("2006-01-02") != today.Format("2006-01-02") {
			c.fail(api.BadRequest("Usage history is not kept - only today's usage is available"))
			return
		}
	}
	u, err := c.s.meta.Usage(c.ctx(), c.cloud)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	requests, bytes, err := c.servedByEdges()
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	lim := c.cl.Admin.Limits
	maxPx := c.s.cfg.Imaging.MaxInputPixels
	size := int64(c.s.cfg.MaxUploadSize)
	c.ok(usageJSON{
		Plan: c.cl.Admin.EffectivePlan(), LastUpdated: today.Format("2006-01-02"), Date: today.Format("2006-01-02"),
		Transformations:  entry(u.Transformations, lim.Transformations),
		Objects:          entry(u.Assets+u.Derived, lim.Objects),
		Bandwidth:        entry(bytes, int64(lim.Bandwidth)),
		Storage:          entry(u.AssetBytes+u.DerivedBytes+u.BackupBytes, int64(lim.Storage)),
		Requests:         requests,
		Resources:        u.Assets,
		DerivedResources: u.Derived,
		MediaLimits: mediaLimitsJSON{ImageMaxSizeBytes: size, VideoMaxSizeBytes: size, RawMaxSizeBytes: size,
			ImageMaxPx: maxPx, AssetMaxTotalPx: maxPx},
	})
}

// servedByEdges records what live edges report serving (their heartbeats)
// and returns the total over every edge run recorded.
func (c *call) servedByEdges() (int64, int64, error) {
	if c.s.purger != nil {
		var served []meta.Served
		for _, e := range c.s.purger.tracker.Edges() {
			if !e.Served.Started.IsZero() {
				served = append(served, meta.Served{Edge: e.ID, Started: e.Served.Started,
					Requests: e.Served.Requests, Bytes: e.Served.Bytes})
			}
		}
		if err := c.s.meta.RecordServed(c.ctx(), served); err != nil {
			return 0, 0, err
		}
	}
	return c.s.meta.Served(c.ctx())
}

// listTags serves GET /tags/<rt>: prefix, max_results, next_cursor.
func (c *call) listTags(rt delivery.ResourceType, p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(lp.cursor, "tags")
	if err != nil {
		c.fail(err)
		return
	}
	q := meta.TagQuery{Cloud: c.cloud, ResourceType: rt, Prefix: p.Get("prefix"), Limit: lp.max + 1}
	if cur != nil {
		q.After = cur.Name
	}
	tags, err := c.s.meta.Tags(c.ctx(), q)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Tags       []string `json:"tags"`
		NextCursor string   `json:"next_cursor,omitempty"`
	}{Tags: nonNil(tags)}
	if len(tags) > lp.max {
		out.Tags = tags[:lp.max]
		out.NextCursor = api.Cursor{Kind: "tags", Name: tags[lp.max-1]}.Encode()
	}
	c.ok(out)
}
