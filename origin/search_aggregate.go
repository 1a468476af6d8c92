package origin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Bounds of a search's range aggregations (docs/search.md).
const (
	maxAggregationRanges = 50
	maxRangeKey          = 64 // characters
)

// supportedAggregations is what the Search API's aggregate accepts.
const supportedAggregations = "format, resource_type, type, bytes, pixels, image_pixels, video_pixels, duration"

// searchAggregation is one aggregation a search asks for: counts by value
// of a field (format, resource_type, type), or in ranges of a number
// field.
type searchAggregation struct {
	field  string
	ranges []meta.Range // nil: by value
}

// parseAggregate reads a search's aggregate values, each field once:
// names (comma-separated as other lists; a number field's name counts in
// its default ranges, defaultRanges), or JSON objects {"type":
// "<field>", "ranges": [{"key": k, "from": x, "to": y}, ...]} as
// Cloudinary's CLI and Node SDK send them. A name given twice is
// counted once; a field given ranges and another time is refused.
func parseAggregate(p *api.Params) ([]searchAggregation, error) {
	var out []searchAggregation
	seen := map[string]bool{} // field: given ranges
	add := func(a searchAggregation, custom bool) error {
		if had, given := seen[a.field]; given {
			if had || custom {
				return api.BadRequest("Invalid aggregation - %s is given twice", api.Clip(a.field))
			}
			return nil
		}
		seen[a.field] = custom
		out = append(out, a)
		return nil
	}
	for _, v := range p.Values("aggregate") {
		if v = strings.TrimSpace(v); strings.HasPrefix(v, "{") {
			a, err := parseRangeAggregation(v)
			if err != nil {
				return nil, err
			}
			if err := add(a, true); err != nil {
				return nil, err
			}
			continue
		}
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			a := searchAggregation{field: f}
			switch {
			case meta.AggregateField(f):
			case meta.RangeField(f):
				a.ranges = defaultRanges(f)
			default:
				return nil, api.BadRequest("Unsupported aggregation - %s (supported: %s)", api.Clip(f), supportedAggregations)
			}
			if err := add(a, false); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// parseRangeAggregation reads one aggregation object and checks it: a
// range field, 1 to maxAggregationRanges ranges, each with a key (given,
// or made of its bounds: "<from>-<to>", * for an open one) unique in the
// aggregation and at most maxRangeKey characters, and finite bounds, from
// below to when both are given.
func parseRangeAggregation(v string) (searchAggregation, error) {
	var a searchAggregation
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	if dec.Decode(&obj) != nil || dec.More() {
		return a, api.BadRequest(`Invalid aggregation - %s (an aggregation object is {"type": "bytes", "ranges": [{"key": "small", "from": 0, "to": 1000}, ...]})`, api.Clip(v))
	}
	for k := range obj {
		if k != "type" && k != "ranges" {
			return a, api.BadRequest("Invalid aggregation - unknown member %s (an aggregation object has type and ranges)", api.Clip(k))
		}
	}
	if json.Unmarshal(obj["type"], &a.field) != nil || a.field == "" {
		return a, api.BadRequest("Invalid aggregation - type is missing (one of bytes, pixels, image_pixels, video_pixels, duration)")
	}
	if !meta.RangeField(a.field) {
		return a, api.BadRequest("Unsupported range aggregation - %s (ranges count bytes, pixels, image_pixels, video_pixels, duration)", api.Clip(a.field))
	}
	var ranges []json.RawMessage
	if json.Unmarshal(obj["ranges"], &ranges) != nil || len(ranges) < 1 || len(ranges) > maxAggregationRanges {
		return a, api.BadRequest("Invalid aggregation - %s: ranges must list 1 to %d ranges", a.field, maxAggregationRanges)
	}
	a.ranges = make([]meta.Range, 0, len(ranges))
	for i, raw := range ranges {
		r, err := parseRange(raw)
		if err != "" {
			return a, api.BadRequest("Invalid aggregation - %s: range %d %s", a.field, i+1, err)
		}
		if slices.ContainsFunc(a.ranges, func(o meta.Range) bool { return o.Key == r.Key }) {
			return a, api.BadRequest("Invalid aggregation - %s: key %s is given twice", a.field, api.Clip(r.Key))
		}
		a.ranges = append(a.ranges, r)
	}
	return a, nil
}

// parseRange reads one range of an aggregation object; a non-empty
// string says what is wrong with it.
func parseRange(raw json.RawMessage) (meta.Range, string) {
	var r meta.Range
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&obj) != nil || obj == nil {
		return r, "is not an object of key, from and to"
	}
	bound := func(name string) (*float64, string) {
		v, ok := obj[name]
		if !ok || string(v) == "null" {
			return nil, ""
		}
		var n json.Number
		if json.Unmarshal(v, &n) != nil {
			return nil, fmt.Sprintf("has a %s that is not a number: %s", name, api.Clip(string(v)))
		}
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Sprintf("has a %s that is not a finite number: %s", name, api.Clip(n.String()))
		}
		return &f, ""
	}
	for k := range obj {
		if k != "key" && k != "from" && k != "to" {
			return r, fmt.Sprintf("has an unknown member %s (a range has key, from and to)", api.Clip(k))
		}
	}
	var msg string
	if r.From, msg = bound("from"); msg != "" {
		return r, msg
	}
	if r.To, msg = bound("to"); msg != "" {
		return r, msg
	}
	if r.From != nil && r.To != nil && *r.From >= *r.To {
		return r, fmt.Sprintf("has from %s not below to %s", formatBound(r.From), formatBound(r.To))
	}
	k, given := obj["key"]
	switch {
	case !given || string(k) == "null":
		r.Key = formatBound(r.From) + "-" + formatBound(r.To)
	case json.Unmarshal(k, &r.Key) != nil:
		return r, "has a key that is not text: " + api.Clip(string(k))
	case strings.TrimSpace(r.Key) == "":
		return r, "has an empty key"
	case utf8.RuneCountInString(r.Key) > maxRangeKey:
		return r, fmt.Sprintf("has a key longer than %d characters", maxRangeKey)
	}
	return r, ""
}

// formatBound writes a range's bound as a key names it: * when open.
func formatBound(f *float64) string {
	if f == nil {
		return "*"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// defaultRanges are the ranges a number field named without ranges counts
// in: mediacdn's own (Cloudinary does not document its categories).
// Sizes in binary units (as the expressions' kb, mb), pixels in
// megapixels (10^6), video pixels by the frame sizes of 720p, 1080p and
// 4K, durations in seconds.
func defaultRanges(field string) []meta.Range {
	const kb, mb, mp = 1 << 10, 1 << 20, 1e6
	type b struct {
		key      string
		from, to float64 // -1: open
	}
	var bs []b
	switch field {
	case "bytes":
		bs = []b{{"tiny", -1, 10 * kb}, {"small", 10 * kb, 100 * kb}, {"medium", 100 * kb, mb},
			{"large", mb, 10 * mb}, {"very_large", 10 * mb, 100 * mb}, {"huge", 100 * mb, -1}}
	case "pixels", "image_pixels":
		bs = []b{{"tiny", -1, 0.25 * mp}, {"small", 0.25 * mp, mp}, {"medium", mp, 5 * mp},
			{"large", 5 * mp, 20 * mp}, {"huge", 20 * mp, -1}}
	case "video_pixels":
		bs = []b{{"sd", -1, 1280 * 720}, {"hd", 1280 * 720, 1920 * 1080}, {"full_hd", 1920 * 1080, 3840 * 2160},
			{"4k", 3840 * 2160, -1}}
	case "duration":
		bs = []b{{"short", -1, 30}, {"medium", 30, 300}, {"long", 300, 1800}, {"very_long", 1800, -1}}
	}
	out := make([]meta.Range, len(bs))
	for i, x := range bs {
		out[i].Key = x.key
		if x.from >= 0 {
			out[i].From = &x.from
		}
		if x.to >= 0 {
			out[i].To = &x.to
		}
	}
	return out
}

// aggregationsJSON is a search's aggregations in the order asked for:
// each field's counts by value (in the values' order) or in its ranges (in
// the ranges' order, every range present).
type aggregationsJSON struct {
	asked  []searchAggregation
	counts map[string]map[string]int64
}

func (a *aggregationsJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, agg := range a.asked {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(agg.field)
		b.Write(k)
		b.WriteByte(':')
		counts := a.counts[agg.field]
		if agg.ranges == nil {
			v, err := json.Marshal(nonNilCounts(counts))
			if err != nil {
				return nil, err
			}
			b.Write(v)
			continue
		}
		b.WriteByte('{')
		for j, r := range agg.ranges {
			if j > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(r.Key)
			b.Write(k)
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(counts[r.Key], 10))
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func nonNilCounts(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}
