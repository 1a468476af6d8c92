package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// apiClient calls an origin's Upload API with HTTP Basic auth.
type apiClient struct {
	base, cloud, key, secret string
	hc                       *http.Client
}

func newAPIClient(base string, o *Options) *apiClient {
	return &apiClient{base: base, cloud: o.Cloud, key: o.APIKey, secret: o.APISecret,
		hc: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

// uploadResult is the part of an upload answer the bench reads.
type uploadResult struct {
	PublicID     string `json:"public_id"`
	Version      int64  `json:"version"`
	Format       string `json:"format"`
	ETag         string `json:"etag"`
	Bytes        int64  `json:"bytes"`
	Invalidation *struct {
		ID       string `json:"id"`
		Sequence uint64 `json:"sequence"` // the purge stream sequence of its last rule
		Status   string `json:"status"`
	} `json:"invalidation"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// upload sends file as publicID with extra form fields.
func (a *apiClient) upload(ctx context.Context, publicID, filename string, file []byte, fields map[string]string) (*uploadResult, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("public_id", publicID)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		return nil, err
	}
	fw.Write(file)
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/v1_1/"+a.cloud+"/image/upload", &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.SetBasicAuth(a.key, a.secret)
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", publicID, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var r uploadResult
	if err := json.Unmarshal(body, &r); err != nil || r.Error != nil || resp.StatusCode != http.StatusOK {
		msg := string(body)
		if r.Error != nil {
			msg = r.Error.Message
		}
		return nil, fmt.Errorf("upload %s: %d %s", publicID, resp.StatusCode, tail(msg, 200))
	}
	return &r, nil
}

// destroy deletes an asset (Upload API destroy); errors are the caller's
// to ignore or report.
func (a *apiClient) destroy(ctx context.Context, resourceType, publicID string) error {
	form := url.Values{"public_id": {publicID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/v1_1/"+a.cloud+"/"+resourceType+"/destroy",
		strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var r struct {
		Result string `json:"result"`
	}
	if err := a.do(req, &r); err != nil {
		return err
	}
	if r.Result != "ok" {
		return fmt.Errorf("destroy %s: %s", publicID, r.Result)
	}
	return nil
}

// assetEntry is the part of an Admin API asset the bench reads.
type assetEntry struct {
	PublicID string `json:"public_id"`
	Version  int64  `json:"version"`
	Format   string `json:"format"`
	ETag     string `json:"etag"` // details only
	Bytes    int64  `json:"bytes"`
}

// asset reads an image's details (Admin API).
func (a *apiClient) asset(ctx context.Context, publicID string) (*assetEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		a.base+"/v1_1/"+a.cloud+"/resources/image/upload/"+publicID, nil)
	if err != nil {
		return nil, err
	}
	var r assetEntry
	return &r, a.do(req, &r)
}

// list lists every image whose public ID starts with prefix (Admin API,
// 500 a page).
func (a *apiClient) list(ctx context.Context, prefix string) ([]assetEntry, error) {
	var out []assetEntry
	cursor := ""
	for {
		q := url.Values{"prefix": {prefix}, "max_results": {"500"}}
		if cursor != "" {
			q.Set("next_cursor", cursor)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			a.base+"/v1_1/"+a.cloud+"/resources/image/upload?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Resources  []assetEntry `json:"resources"`
			NextCursor string       `json:"next_cursor"`
		}
		if err := a.do(req, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Resources...)
		if cursor = page.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// do sends an API request with HTTP Basic auth and decodes a 200 answer's
// JSON into v.
func (a *apiClient) do(req *http.Request, v any) error {
	req.SetBasicAuth(a.key, a.secret)
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, tail(string(body), 200))
	}
	return json.Unmarshal(body, v)
}

// uploadAll uploads the photos under their IDs, four at a time.
func (a *apiClient) uploadAll(ctx context.Context, photos []photo) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, p := range photos {
		g.Go(func() error {
			_, err := a.upload(ctx, p.ID, p.File, p.Data, nil)
			return err
		})
	}
	return g.Wait()
}

// fetchAll GETs every path from base, conc at a time (again after a 503),
// and fails on any other answer but 200: warming caches, making derived
// images.
func fetchAll(ctx context.Context, base string, paths []string, conc int, p *progress, label string) error {
	hc, err := newHostClient(base, conc, time.Minute)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	var done atomic.Int64
	start := time.Now()
	stop := p.watch(func() string {
		n := done.Load()
		return fmt.Sprintf("%-10s %s %5.1fs %d/%d", label, bar(float64(n)/float64(len(paths))), time.Since(start).Seconds(), n, len(paths))
	})
	defer stop()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(conc)
	for _, path := range paths {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			f, err := getRetrying(ctx, hc, base, path)
			done.Add(1)
			if err != nil {
				return err
			}
			if f.Status != http.StatusOK {
				return fmt.Errorf("GET %s%s: %d %s", base, path, f.Status, f.Error)
			}
			return nil
		})
	}
	return g.Wait()
}
