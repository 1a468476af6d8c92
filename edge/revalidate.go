package edge

import (
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/valyala/fasthttp"
)

// revalidateInBackground refreshes a stale entry once per key while
// requests keep getting the stale copy. The request's buffers are copied:
// the goroutine outlives the request; v, the variant the key holds, is a
// value.
func (s *Server) revalidateInBackground(ctx *fasthttp.RequestCtx, key []byte, v delivery.Variant, stale *entry) {
	k := string(key)
	uri := string(ctx.Request.Header.RequestURI())
	host := string(ctx.Host())
	go s.refresh.Do(k, func() (any, error) {
		// This goroutine may start after another refresh of the key has
		// ended: a different entry in the cache means it is done.
		if cur, ok := s.cache.get([]byte(k)); ok && cur != stale {
			return nil, nil
		}
		u, err := s.parseURI(host, uri)
		if err != nil {
			return nil, err
		}
		return s.fetch(&u, []byte(k), v, stale)
	})
}
