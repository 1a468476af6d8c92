package purge

import "github.com/mediacdn/mediacdn/delivery"

// Target is what an edge knows about one cached response, the thing a rule
// is matched against.
type Target struct {
	Cloud    string
	Resource delivery.ResourceType
	Type     delivery.DeliveryType
	PublicID string
	// Transformation is the transformation as written in the URL.
	Transformation string
	Class          delivery.Class
	// Version is the URL's version, 0 when none.
	Version uint64
	// Negative is set for a cached 404.
	Negative bool
}

// TargetOf returns the target of a parsed delivery URL (every URL form,
// SEO suffixes included, gives the same fields for the same asset). It does
// not allocate: the strings are the URL's.
func TargetOf(u *delivery.URL, negative bool) Target {
	return Target{
		Cloud:          u.Cloud,
		Resource:       u.Resource,
		Type:           u.Type,
		PublicID:       u.PublicID,
		Transformation: u.Transformation,
		Class:          u.Class(),
		Version:        u.Version,
		Negative:       negative,
	}
}
