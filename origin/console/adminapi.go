package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/origin/api"
)

// The console changes and reads nothing itself: every page calls the
// origin's own Admin and Upload APIs (Options.API) in process, with the
// signed-in cloud's key and secret, so that each rule (parameters,
// purges, rate limit) has one implementation.

// apiError is an API answer other than 2xx: its status and Cloudinary's
// public message.
type apiError struct {
	Status  int
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// callAPI calls /v1_1/<cloud>/<path> of the origin with HTTP Basic and
// decodes a 2xx answer into out (nil: ignored). GET and DELETE carry
// params in the query, POST as a form.
func (h *Handler) callAPI(r *http.Request, cloud, method, path string, params url.Values, out any) error {
	cl := h.opts.Clouds[cloud]
	u := &url.URL{Path: "/v1_1/" + cloud + "/" + path}
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(params.Encode())
	} else {
		u.RawQuery = params.Encode()
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(r.Context(), method, u.String(), body)
	if err != nil {
		return &apiError{Status: http.StatusBadRequest, Message: "Malformed request"}
	}
	req.RemoteAddr = r.RemoteAddr
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(cl.APIKey, cl.APISecret)
	rec := api.NewRecorder()
	h.opts.API.ServeHTTP(rec, req)
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	if rec.Status/100 != 2 {
		var e api.ErrorBody
		json.Unmarshal(rec.Body.Bytes(), &e)
		if e.Error.Message == "" {
			e.Error.Message = http.StatusText(rec.Status)
		}
		return &apiError{Status: rec.Status, Message: e.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		return &apiError{Status: http.StatusBadGateway, Message: "Unreadable answer from the API"}
	}
	return nil
}

// forwardUpload passes an upload's multipart body on to
// /v1_1/<cloud>/<rt>/upload with the cloud's credentials, and its answer
// back as it is: the Upload API reads, bounds and judges it.
func (h *Handler) forwardUpload(w http.ResponseWriter, r *http.Request, cloud, rt string) {
	cl := h.opts.Clouds[cloud]
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "/v1_1/"+url.PathEscape(cloud)+"/"+rt+"/upload", r.Body)
	if err != nil {
		http.Error(w, "Malformed request", http.StatusBadRequest)
		return
	}
	req.RemoteAddr = r.RemoteAddr
	req.ContentLength = r.ContentLength
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	req.SetBasicAuth(cl.APIKey, cl.APISecret)
	h.opts.API.ServeHTTP(w, req)
}

// resource is an asset as the Admin API lists and details it (the fields
// the console shows).
type resource struct {
	AssetID      string         `json:"asset_id"`
	PublicID     string         `json:"public_id"`
	Format       string         `json:"format"`
	Version      int64          `json:"version"`
	ResourceType string         `json:"resource_type"`
	Type         string         `json:"type"`
	CreatedAt    string         `json:"created_at"`
	Bytes        int64          `json:"bytes"`
	Width        int            `json:"width"`
	Height       int            `json:"height"`
	Backup       bool           `json:"backup"`
	AccessMode   string         `json:"access_mode"`
	URL          string         `json:"secure_url"`
	AssetFolder  string         `json:"asset_folder"`
	Tags         []string       `json:"tags"`
	Metadata     map[string]any `json:"metadata"`
	Context      struct {
		Custom map[string]string `json:"custom"`
	} `json:"context"`
	ModerationStatus string    `json:"moderation_status"`
	Versions         []version `json:"versions"`
	Derived          []struct {
		ID             string `json:"id"`
		Transformation string `json:"transformation"`
		Format         string `json:"format"`
		Bytes          int64  `json:"bytes"`
		Width          int    `json:"width"`
		Height         int    `json:"height"`
		URL            string `json:"secure_url"`
	} `json:"derived"`
}

// listing is a page of a listing.
type listing struct {
	Resources  []resource `json:"resources"`
	NextCursor string     `json:"next_cursor"`
	// TotalCount is the Search API's count of the matches.
	TotalCount int64 `json:"total_count"`
}

// invalidation is an invalidation's status as /invalidations answers it.
type invalidation struct {
	ID           string `json:"id"`
	Sequence     uint64 `json:"sequence"`
	Status       string `json:"status"`
	EdgesApplied int    `json:"edges_applied"`
	EdgesLive    int    `json:"edges_live"`
}
