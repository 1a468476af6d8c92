package purge

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// WireVersion is the version of the rule encoding this package writes. A
// subscriber that meets a newer version (or anything it cannot decode)
// flushes the rule's cloud rather than risk missing what the rule covers.
const WireVersion = 1

// wireRule is a rule's JSON form: names instead of enum numbers, empty
// fields left out.
type wireRule struct {
	V               int       `json:"v"`
	ID              string    `json:"id"`
	Kind            Kind      `json:"kind"`
	Cloud           string    `json:"cloud,omitempty"`
	Resource        string    `json:"resource_type,omitempty"`
	Type            string    `json:"type,omitempty"`
	PublicID        string    `json:"public_id,omitempty"`
	Scope           Scope     `json:"scope,omitempty"`
	Transformations []string  `json:"transformations,omitempty"`
	Named           string    `json:"named,omitempty"`
	Invalidation    string    `json:"invalidation,omitempty"`
	VersionedURLs   bool      `json:"invalidate_versioned_urls,omitempty"`
	LatestVersion   uint64    `json:"latest_version,omitempty"`
	Time            time.Time `json:"time,omitzero"`
}

// MarshalJSON encodes the rule in wire version WireVersion (Seq is not
// part of it: the stream assigns it).
func (r *Rule) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireRule{
		V: WireVersion, ID: r.ID, Kind: r.Kind, Cloud: r.Cloud,
		Resource: r.Resource.String(), Type: r.Type.String(), PublicID: r.PublicID,
		Scope: r.Scope, Transformations: r.Transformations, Named: r.Named,
		Invalidation: string(r.Mode.Invalidation), VersionedURLs: r.Mode.VersionedURLs,
		LatestVersion: r.LatestVersion, Time: r.Time,
	})
}

// UnmarshalJSON decodes a rule of wire version 1 and validates it.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var w wireRule
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("purge: decode rule: %w", err)
	}
	if w.V != WireVersion {
		return fmt.Errorf("%w: %d", ErrWireVersion, w.V)
	}
	d := Rule{
		ID: w.ID, Kind: w.Kind, Cloud: w.Cloud, PublicID: w.PublicID, Scope: w.Scope,
		Transformations: w.Transformations, Named: w.Named,
		Mode:          Mode{Invalidation: config.Invalidation(w.Invalidation), VersionedURLs: w.VersionedURLs},
		LatestVersion: w.LatestVersion, Time: w.Time,
	}
	var ok bool
	if d.Resource, ok = parseResource(w.Resource); !ok {
		return fmt.Errorf("%w: resource type %q", ErrInvalidRule, w.Resource)
	}
	if d.Type, ok = parseType(w.Type); !ok {
		return fmt.Errorf("%w: type %q", ErrInvalidRule, w.Type)
	}
	if err := d.Validate(); err != nil {
		return err
	}
	*r = d
	return nil
}

// DecodeRule decodes a rule from its wire form.
func DecodeRule(b []byte) (*Rule, error) {
	r := new(Rule)
	if err := r.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return r, nil
}

func parseResource(s string) (delivery.ResourceType, bool) {
	if s == "" {
		return delivery.ResourceNone, true
	}
	return delivery.ParseResourceType(s)
}

func parseType(s string) (delivery.DeliveryType, bool) {
	if s == "" {
		return delivery.TypeNone, true
	}
	return delivery.ParseDeliveryType(s)
}
