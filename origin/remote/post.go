package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Post sends body to rawURL with the given headers through the guarded
// client (internal addresses refused, Options.Timeout), for webhooks. A
// 2xx answer is success; anything else, redirects included (a POST is
// never followed elsewhere), is an *Error. At most 64 KiB of the answer
// is read, so the connection can be reused.
func (f *Fetcher) Post(ctx context.Context, rawURL string, header http.Header, body []byte) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Why: BadURL, Reason: "invalid URL"}
	}
	fail := func(why Failure, reason string) error { return &Error{Why: why, Reason: reason} }
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fail(BadURL, "invalid URL")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "mediacdn-webhook/1")
	client := *f.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return doErr(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(Unavailable, fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
	}
	return nil
}
