package origin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// The images sprite and multi are made of when the call gives urls rather
// than a tag: remote images, in the order given, fetched as fetch delivery
// URLs fetch them (deliver_fetch.go: each stored as the asset of type
// fetch whose public ID is its URL, downloaded once; the address checks
// of origin/remote and fetch.allow_networks, fetch.timeout,
// max_upload_size, fetch.max_in_flight), at most max_frames of them and
// never more than maxMadeURLs. As an upload from a URL, a signed API call,
// may name any host, the cloud's fetch_domains do not apply (they still
// apply to the fetch URLs delivering those copies). The result is stored under urlsName(urls) as a tag's is
// under the tag.

// maxMadeURLs bounds the urls of one sprite or multi (each is a download).
const maxMadeURLs = 100

// madeSource reads what sprite and multi are made of: the tag, or the
// urls (the Node SDK's urls[]) with name the public ID of the result.
func madeSource(p *api.Params) (name string, urls []string, err error) {
	for _, u := range p.Values("urls") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		tag, err := tagParam(p)
		return tag, nil, err
	}
	switch {
	case p.Get("tag") != "":
		return "", nil, api.BadRequest("Either tag or urls - not both")
	case len(urls) > maxMadeURLs:
		return "", nil, api.BadRequest("Too many urls - more than the limit of %d", maxMadeURLs)
	}
	for _, u := range urls {
		// Each becomes a fetch asset's public ID: no longer than a fetch
		// URL's may be (else stored, never deliverable).
		if len(u) > delivery.MaxFetchIDBytes {
			return "", nil, api.BadRequest("Invalid fetch URL - %s (longer than %d bytes)", api.Clip(u), delivery.MaxFetchIDBytes)
		}
	}
	return urlsName(urls), urls, nil
}

// urlsName is the public ID of what sprite or multi make of urls: the
// same list always names the same result.
func urlsName(urls []string) string {
	sum := sha256.Sum256([]byte(strings.Join(urls, "\n")))
	return "urls_" + hex.EncodeToString(sum[:16])
}

// sourceImages are the images of tag, or of urls when there are any, at
// most limit of them.
func (c *call) sourceImages(ctx context.Context, tag string, urls []string, limit int) ([]*meta.Asset, error) {
	if len(urls) == 0 {
		return c.taggedImages(ctx, tag, limit)
	}
	if len(urls) > limit {
		return nil, api.BadRequest("Too many urls - more than the limit of %d", limit)
	}
	cl := c.cl
	cl.FetchDomains = []string{"*"}
	out := make([]*meta.Asset, 0, len(urls))
	for _, raw := range urls {
		u := &delivery.URL{Cloud: c.cloud, Resource: delivery.Image, Type: delivery.Fetch, PublicID: raw}
		a, err := c.s.fetched(ctx, u, cl, true)
		if err != nil {
			return nil, urlFailed(err)
		}
		out = append(out, a)
	}
	return out, nil
}

// urlFailed words a failed fetch of one of the urls as the Upload API
// answers a failed upload from a URL: 400 when the remote failed (it said
// not found, could not be reached, timed out), fetch delivery's answer
// otherwise (a refused address, too many downloads at once).
func urlFailed(err error) error {
	var e *delivery.Error
	if errors.As(err, &e) {
		switch e.Status {
		case http.StatusNotFound, http.StatusBadGateway, http.StatusGatewayTimeout:
			return api.BadRequest("%s", e.Message)
		}
	}
	return err
}
