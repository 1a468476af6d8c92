package origin

import (
	"errors"
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

// usageEntry is a figure; limit and used_percent only today's (a past
// day's answer has neither, as Cloudinary's: the Node SDK's suite checks).
type usageEntry struct {
	Usage       int64    `json:"usage"`
	Limit       *int64   `json:"limit,omitempty"`
	UsedPercent *float64 `json:"used_percent,omitempty"`
}

type mediaLimitsJSON struct {
	ImageMaxSizeBytes int64 `json:"image_max_size_bytes"`
	VideoMaxSizeBytes int64 `json:"video_max_size_bytes"`
	RawMaxSizeBytes   int64 `json:"raw_max_size_bytes"`
	ImageMaxPx        int64 `json:"image_max_px"`
	AssetMaxTotalPx   int64 `json:"asset_max_total_px"`
}

// entry is a figure, with its limit and the part of it used unless past.
func entry(usage, limit int64, past bool) usageEntry {
	e := usageEntry{Usage: usage}
	if past {
		return e
	}
	used := 0.0
	if limit > 0 {
		used = math.Round(float64(usage)*10000/float64(limit)) / 100
	}
	e.Limit, e.UsedPercent = &limit, &used
	return e
}

// usage serves GET /usage, /usage/<date> and /usage?date=<date> (dd-mm-yyyy
// as the SDKs send it, or yyyy-mm-dd). Today's figures are counted live,
// with what live edges report serving, and nothing is written (the usage
// recorder writes the day's row, meta.UsageHistoryStore); a past day
// answers the figures last recorded that day, zeros when none were (as
// Cloudinary does for a day without activity). Bandwidth and requests are
// what every edge reported serving, for all clouds together (edges do not
// count per cloud).
func (c *call) usage(date string, p *api.Params) {
	today := c.s.now().UTC()
	if date == "" {
		date = p.Get("date")
	}
	day := today.Format("2006-01-02")
	if date != "" {
		d, err := parseUsageDate(date)
		if err != nil {
			c.fail(err)
			return
		}
		if d.Format("2006-01-02") > day {
			c.fail(api.BadRequest("Invalid date - %s is in the future", api.Clip(date)))
			return
		}
		day = d.Format("2006-01-02")
	}
	var figures meta.DailyUsage
	past := day != today.Format("2006-01-02")
	if !past {
		f, err := c.s.usageNow(c.ctx(), c.cloud, today, c.s.liveServed())
		if err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		figures = f
	} else {
		f, err := c.s.meta.DailyUsage(c.ctx(), c.cloud, day)
		switch {
		case errors.Is(err, meta.ErrNotFound):
			figures = meta.DailyUsage{Day: day}
		case err != nil:
			c.fail(delivery.Internal(err))
			return
		default:
			figures = *f
		}
	}
	lim := c.cl.Admin.Limits
	maxPx := c.s.cfg.Imaging.MaxInputPixels
	size := int64(c.s.cfg.MaxUploadSize)
	c.ok(usageJSON{
		Plan: c.cl.Admin.EffectivePlan(), LastUpdated: day, Date: day,
		Transformations:  entry(figures.Transformations, lim.Transformations, past),
		Objects:          entry(figures.Objects, lim.Objects, past),
		Bandwidth:        entry(figures.Bandwidth, int64(lim.Bandwidth), past),
		Storage:          entry(figures.Storage, int64(lim.Storage), past),
		Requests:         figures.Requests,
		Resources:        figures.Resources,
		DerivedResources: figures.DerivedResources,
		MediaLimits: mediaLimitsJSON{ImageMaxSizeBytes: size, VideoMaxSizeBytes: size, RawMaxSizeBytes: size,
			ImageMaxPx: maxPx, AssetMaxTotalPx: maxPx},
	})
}

// parseUsageDate reads a usage date: dd-mm-yyyy or yyyy-mm-dd.
func parseUsageDate(s string) (time.Time, error) {
	for _, layout := range []string{"02-01-2006", "2006-01-02"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, nil
		}
	}
	return time.Time{}, api.BadRequest("Invalid date - %s (want dd-mm-yyyy or yyyy-mm-dd)", api.Clip(s))
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
