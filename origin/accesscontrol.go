package origin

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxAccessRules bounds one access_control list.
const maxAccessRules = 20

// accessRuleJSON is one access_control entry on the wire: the Upload
// API's and Admin API's parameter (a JSON array, or one object) and what
// responses show. Times are ISO 8601 (Cloudinary writes 2017-12-15T12:00Z;
// the SDKs send RFC 3339 with seconds and fractions).
type accessRuleJSON struct {
	AccessType string `json:"access_type"`
	Start      string `json:"start,omitempty"`
	End        string `json:"end,omitempty"`
}

// parseAccessControl reads access_control: given reports whether the
// parameter was there at all (an empty list clears the asset's).
func parseAccessControl(p *api.Params) (rules []meta.AccessRule, given bool, err error) {
	if !p.Has("access_control") {
		return nil, false, nil
	}
	raw := strings.TrimSpace(p.Get("access_control"))
	var list []accessRuleJSON
	switch {
	case raw == "":
		return []meta.AccessRule{}, true, nil
	case strings.HasPrefix(raw, "{"):
		var one accessRuleJSON
		if err := json.Unmarshal([]byte(raw), &one); err != nil {
			return nil, true, api.BadRequest("Invalid access_control - %s", api.Clip(raw))
		}
		list = []accessRuleJSON{one}
	default:
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, true, api.BadRequest("Invalid access_control - %s", api.Clip(raw))
		}
	}
	if len(list) > maxAccessRules {
		return nil, true, api.BadRequest("Invalid access_control - at most %d entries", maxAccessRules)
	}
	rules = []meta.AccessRule{}
	for _, j := range list {
		r := meta.AccessRule{AccessType: j.AccessType}
		switch j.AccessType {
		case meta.AccessToken:
			if j.Start != "" || j.End != "" {
				return nil, true, api.BadRequest("Invalid access_control - a token entry has no start or end")
			}
		case meta.AccessAnonymous:
			if r.Start, err = accessTime(j.Start); err != nil {
				return nil, true, err
			}
			if r.End, err = accessTime(j.End); err != nil {
				return nil, true, err
			}
			if r.Start != 0 && r.End != 0 && r.End <= r.Start {
				return nil, true, api.BadRequest("Invalid access_control - end must be after start")
			}
		default:
			return nil, true, api.BadRequest("Invalid access_control - access_type must be token or anonymous, not %s",
				api.Clip(j.AccessType))
		}
		rules = append(rules, r)
	}
	return rules, true, nil
}

// accessTimeLayouts are the ISO 8601 forms access_control's times take,
// and the space-separated ones with a numeric zone Cloudinary takes too
// ("2019-03-22 00:00 +0200", as the Node SDK's spec writes one).
var accessTimeLayouts = [...]string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05",
	"2006-01-02T15:04", "2006-01-02", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04 -0700"}

// accessTime reads one time of an anonymous window, in Unix seconds (0
// for none); a time without a zone is UTC.
func accessTime(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	for _, layout := range accessTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Unix() <= 0 {
				break
			}
			return t.Unix(), nil
		}
	}
	return 0, api.BadRequest("Invalid access_control - %s is not an ISO 8601 time", api.Clip(s))
}

// accessControlJSON is an asset's access_control as responses show it;
// nil (left out) for none.
func accessControlJSON(rules []meta.AccessRule) []accessRuleJSON {
	if len(rules) == 0 {
		return nil
	}
	out := make([]accessRuleJSON, len(rules))
	for i, r := range rules {
		out[i].AccessType = r.AccessType
		if r.Start != 0 {
			out[i].Start = time.Unix(r.Start, 0).UTC().Format(time.RFC3339)
		}
		if r.End != 0 {
			out[i].End = time.Unix(r.End, 0).UTC().Format(time.RFC3339)
		}
	}
	return out
}

// anonymousWindows are an asset's anonymous windows; limited reports
// whether its access_control limits unsigned delivery at all.
func anonymousWindows(a *meta.Asset) (windows []delivery.Window, limited bool) {
	for _, r := range a.AccessControl {
		if r.AccessType == meta.AccessAnonymous {
			windows = append(windows, delivery.Window{Start: r.Start, End: r.End})
		}
	}
	return windows, len(a.AccessControl) > 0
}

// changesAccess reports whether an upload or explicit call sets who may
// see the asset: its URLs cached at the edges are then purged
// (Event.Restricted).
func (o *uploadOptions) changesAccess() bool {
	return o.accessMode != "" || o.accessControlGiven
}
