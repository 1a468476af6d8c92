package origin

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
)

// serveSearchURL answers a search URL (delivery.SearchURL, the SDKs'
// search to_url): a search run without an API key, its signature the
// proof that the cloud's owner built it. The signature is checked in
// constant time (401 Invalid URL signature, as a delivery URL's), the
// search counts against the cloud's Admin API rate limit (420, as an
// Admin API search; only edge misses reach the origin), and runs through
// the Admin API's own search (searchAssets, admin_search.go) with the
// query's parameters. Its answer is the Admin API's JSON with
// Cache-Control max-age=<ttl>, so that edges keep it ttl seconds; a
// refusal is a delivery refusal (X-Cld-Error, a short text body).
func (s *Server) serveSearchURL(w http.ResponseWriter, r *http.Request, u *delivery.URL, cl config.Cloud) {
	if !verifySearchSignature(&u.Search, cl.APISecret) {
		s.deliveryFail(w, delivery.Errorf(http.StatusUnauthorized, "Invalid URL signature"))
		return
	}
	q, err := searchURLQuery(&u.Search)
	if err != nil {
		s.deliveryFail(w, err)
		return
	}
	// The next_cursor is the one part of the URL its signature does not
	// cover: one changed by hand is refused before the search counts
	// against the rate limit, so that whoever holds a search URL cannot
	// spend the cloud's Admin API calls by varying it past the edges.
	rec := api.NewRecorder()
	c := &call{s: s, w: rec, r: r, cloud: u.Cloud, cl: cl}
	if _, ok := c.searchCursorSigned(u.Search.Cursor); u.Search.Cursor != "" && !ok {
		s.deliveryFail(w, delivery.Errorf(http.StatusBadRequest, "Invalid next_cursor - %s", api.Clip(u.Search.Cursor)))
		return
	}
	if err := s.limits.Take(r.Context(), w, u.Cloud, cl.Admin.EffectiveRateLimit(), s.now()); err != nil {
		s.deliveryFail(w, err)
		return
	}
	// The query's JSON read as an Admin API search's JSON body is.
	body, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/", bytes.NewReader(q))
	if err != nil {
		s.deliveryFail(w, delivery.Internal(err))
		return
	}
	body.Header.Set("Content-Type", "application/json")
	p, err := api.ReadParams(rec, body, int64(len(q))+1)
	if err == nil {
		err = searchSpec().Check(p)
	}
	if err != nil {
		s.deliveryFail(w, err)
		return
	}
	s.WaitRecorded() // as the Admin API does (admin.go)
	c.searchAssets(p)
	if rec.Status != http.StatusOK {
		var eb api.ErrorBody
		if json.Unmarshal(rec.Body.Bytes(), &eb) != nil || eb.Error.Message == "" {
			eb.Error.Message = http.StatusText(rec.Status)
		}
		s.deliveryFail(w, &delivery.Error{Status: rec.Status, Message: eb.Error.Message})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	h.Set("Cache-Control", maxAge(time.Duration(u.Search.TTL)*time.Second, false))
	w.WriteHeader(http.StatusOK)
	w.Write(rec.Body.Bytes())
}

// verifySearchSignature checks hex(sha256(ttl + query + api_secret)), the
// ttl and query as written, in constant time.
func verifySearchSignature(su *delivery.SearchURL, secret string) bool {
	h := sha256.New()
	h.Write([]byte(su.TTLText))
	h.Write([]byte(su.Query))
	h.Write([]byte(secret))
	want := hex.EncodeToString(h.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(want), []byte(su.Signature)) == 1
}

// searchURLQuery is the search's JSON with the URL's next_cursor in it
// (the SDKs take it out of the signed query and append it to the path).
func searchURLQuery(su *delivery.SearchURL) ([]byte, error) {
	q, err := su.DecodeQuery()
	if err != nil || su.Cursor == "" {
		return q, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(q, &m); err != nil {
		return nil, delivery.Errorf(http.StatusBadRequest, "Invalid search query")
	}
	m["next_cursor"], _ = json.Marshal(su.Cursor)
	return json.Marshal(m)
}
