package origin

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxNamedDepth bounds named transformations that use named transformations.
const maxNamedDepth = 5

// namedTransformation looks a named transformation up in the metadata
// store (where the Admin API manages them and configuration seeds them):
// its definition (without an empty extension: namedBody) and whether it is
// allowed for strict transformations; ok is false when there is none.
func (s *Server) namedTransformation(ctx context.Context, cloud, name string) (tx string, strict, ok bool, err error) {
	t, err := s.meta.Transformation(ctx, cloud, true, name)
	if isNotFound(err) {
		return "", false, false, nil
	}
	if err != nil {
		return "", false, false, err
	}
	body, _ := namedBody(t.Transformation)
	return body, t.AllowedForStrict, true, nil
}

// allowedUnnamed reports whether the Admin API allowed a transformation
// (not a named one) for strict transformations.
func (s *Server) allowedUnnamed(ctx context.Context, cloud string, tr delivery.Transformation) (bool, error) {
	if len(tr.Components) == 0 {
		return false, nil
	}
	return s.meta.AllowedForStrict(ctx, cloud, tr.String())
}

// seedNamed stores the configured named transformations of every cloud
// that the store has never had under their names (allowed for strict
// transformations), so that configuration seeds them once and the Admin
// API manages them from then on.
func (s *Server) seedNamed(ctx context.Context) error {
	for _, cloud := range s.clouds.Names() {
		named := s.clouds[cloud].NamedTransformations
		names := make([]string, 0, len(named))
		for n := range named {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			now := s.now().UTC()
			if _, err := s.meta.SeedNamed(ctx, &meta.Transformation{Cloud: cloud, Named: true, Name: n,
				Transformation: named[n], AllowedForStrict: true, CreatedAt: now, UpdatedAt: now}); err != nil {
				return fmt.Errorf("origin: seed named transformation %s of %s: %w", n, cloud, err)
			}
		}
	}
	return nil
}

// expand replaces t_<name> components by the named transformations'
// components (a component's other parameters follow as their own
// component). allowed reports whether the transformation consists only of
// named transformations allowed for strict transformations or, for clouds
// with strict transformations, was itself allowed through the Admin API.
func (s *Server) expand(ctx context.Context, cloud string, tr delivery.Transformation, depth int) (delivery.Transformation, bool, error) {
	if depth > maxNamedDepth {
		return tr, false, delivery.Errorf(http.StatusBadRequest, "Named transformations are nested too deeply")
	}
	out := delivery.Transformation{Components: make([]delivery.Component, 0, len(tr.Components))}
	allowed := len(tr.Components) > 0
	for _, c := range tr.Components {
		if !c.Has(delivery.KeyNamed) {
			out.Components = append(out.Components, c)
			allowed = false
			continue
		}
		for _, name := range strings.Split(c.Named, ".") {
			tx, ok4strict, ok, err := s.namedTransformation(ctx, cloud, name)
			if err != nil {
				return tr, false, err
			}
			if !ok {
				return tr, false, delivery.Errorf(http.StatusBadRequest, "Unknown transformation %s", name)
			}
			named, err := delivery.ParseTransformation(tx)
			if err != nil {
				return tr, false, delivery.Errorf(http.StatusBadRequest, "Named transformation %s is invalid: %v", name, err)
			}
			inner, _, err := s.expand(ctx, cloud, named, depth+1)
			if err != nil {
				return tr, false, err
			}
			out.Components = append(out.Components, inner.Components...)
			allowed = allowed && ok4strict
		}
		if rest := c.Without(delivery.KeyNamed); !rest.Empty() {
			out.Components = append(out.Components, rest)
			allowed = false
		}
	}
	if depth == 0 && !allowed && s.clouds[cloud].StrictTransformations {
		var err error
		if allowed, err = s.allowedUnnamed(ctx, cloud, tr); err != nil {
			return tr, false, err
		}
	}
	return out, allowed, nil
}
