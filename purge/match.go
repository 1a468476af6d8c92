package purge

import (
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// Matches reports whether the rule covers the cached response t: the one
// matching function every edge uses (design.md, "Purge semantics").
//
//   - global mode: every URL of the asset, any transformation, any or no
//     version, signed or not;
//   - legacy mode, VersionedURLs off: URLs without a version (public IDs
//     without "/") or with /v1/ (public IDs with "/");
//   - legacy mode, VersionedURLs on: URLs with LatestVersion;
//   - legacy mode never covers signed URLs.
//
// Scope narrows further (derived only, or a list of transformations in any
// spelling). Created rules cover only cached 404s; every other rule covers
// them too. Over-covering is allowed, under-covering never: an unknown kind
// covers the whole cloud.
func (r *Rule) Matches(t *Target) bool {
	if r.Cloud != t.Cloud && !(r.Kind == KindFlush && r.Cloud == "") {
		return false
	}
	switch r.Kind {
	case KindAsset:
		return r.sameAsset(t) && r.inScope(t) && r.Mode.covers(t, r.LatestVersion)
	case KindPrefix:
		return r.sameKinds(t) && strings.HasPrefix(t.PublicID, r.PublicID) &&
			r.inScope(t) && r.Mode.covers(t, 0)
	case KindNamed:
		return usesNamed(t.Transformation, r.Named)
	case KindCreated:
		return t.Negative && r.sameAsset(t)
	}
	return true
}

func (r *Rule) sameAsset(t *Target) bool {
	return r.Resource == t.Resource && r.Type == t.Type && r.PublicID == t.PublicID
}

// sameKinds is sameAsset without the public ID, zero values matching any.
func (r *Rule) sameKinds(t *Target) bool {
	return (r.Resource == delivery.ResourceNone || r.Resource == t.Resource) &&
		(r.Type == delivery.TypeNone || r.Type == t.Type)
}

func (r *Rule) inScope(t *Target) bool {
	derived := t.Class.Derived || t.Transformation != ""
	switch r.Scope {
	case ScopeDerived:
		return derived
	case ScopeTransformations:
		return derived && r.listsTransformation(t.Transformation)
	}
	return true
}

// listsTransformation reports whether tx, in any spelling, is one of the
// rule's transformations. It allocates only when tx is not spelled as in
// the rule.
func (r *Rule) listsTransformation(tx string) bool {
	canon := r.canon
	if canon == nil {
		canon = canonicalAll(r.Transformations)
	}
	for i, c := range canon {
		if tx == c || tx == r.Transformations[i] {
			return true
		}
	}
	tc := canonical(tx)
	for _, c := range canon {
		if tc == c {
			return true
		}
	}
	return false
}

// covers applies the invalidation mode. latest is the asset's version
// before the operation, 0 when unknown (then any versioned URL is covered).
func (m Mode) covers(t *Target, latest uint64) bool {
	if !m.Legacy() {
		return true
	}
	if t.Class.Signed {
		return false
	}
	if m.VersionedURLs {
		return t.Class.Version != delivery.NoVersion && (latest == 0 || t.Version == latest)
	}
	if strings.IndexByte(t.PublicID, '/') >= 0 {
		return t.Class.Version == delivery.VersionOne
	}
	return t.Class.Version == delivery.NoVersion
}

// usesNamed reports whether the transformation tx refers to the named
// transformation name. It does not allocate.
func usesNamed(tx, name string) bool {
	it := newNamedIter(tx)
	for n, ok := it.next(); ok; n, ok = it.next() {
		if n == name {
			return true
		}
	}
	return false
}

// namedIter yields the named transformations a transformation refers to:
// the names of its t_ parameters, in any component, "t_a.b" naming a and b.
// Parameters are separated by "," within a component and "/" between. It
// does not allocate.
type namedIter struct {
	tx   string // parameters not read yet
	list string // rest of the current t_ list
}

func newNamedIter(tx string) namedIter { return namedIter{tx: tx} }

func (it *namedIter) next() (string, bool) {
	for {
		if it.list != "" {
			var n string
			n, it.list, _ = strings.Cut(it.list, ".")
			if n != "" {
				return n, true
			}
			continue
		}
		if it.tx == "" {
			return "", false
		}
		var tok string
		tok, it.tx = cutParam(it.tx)
		if len(tok) > 2 && tok[0] == 't' && tok[1] == '_' {
			it.list = tok[2:]
		}
	}
}

// cutParam splits off the first key_value parameter of a transformation.
func cutParam(tx string) (tok, rest string) {
	for i := 0; i < len(tx); i++ {
		if tx[i] == ',' || tx[i] == '/' {
			return tx[:i], tx[i+1:]
		}
	}
	return tx, ""
}
