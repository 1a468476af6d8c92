package origin

import (
	"context"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
)

// maxNamedDepth bounds named transformations that use named transformations.
const maxNamedDepth = 5

// namedTransformation looks a named transformation up: its string and
// whether it is allowed for strict transformations.
func (s *Server) namedTransformation(_ context.Context, cl config.Cloud, name string) (string, bool, bool) {
	tx, ok := cl.NamedTransformations[name]
	return tx, true, ok
}

// expand replaces t_<name> components by the named transformations'
// components (a component's other parameters follow as their own
// component). allowed reports whether the transformation consists only of
// named transformations allowed for strict transformations.
func (s *Server) expand(ctx context.Context, cl config.Cloud, tr delivery.Transformation, depth int) (delivery.Transformation, bool, error) {
	if depth > maxNamedDepth {
		return tr, false, deliveryErr(http.StatusBadRequest, "Named transformations are nested too deeply")
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
			tx, ok4strict, ok := s.namedTransformation(ctx, cl, name)
			if !ok {
				return tr, false, deliveryErr(http.StatusBadRequest, "Unknown transformation %s", name)
			}
			named, err := delivery.ParseTransformation(tx)
			if err != nil {
				return tr, false, deliveryErr(http.StatusBadRequest, "Named transformation %s is invalid: %v", name, err)
			}
			inner, _, err := s.expand(ctx, cl, named, depth+1)
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
	return out, allowed, nil
}
