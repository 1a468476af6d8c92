package app

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// devBanner is what mediacdn dev prints on stdout once its edge's /readyz
// says ready: where each part listens, the dev cloud's credentials, one
// request to try, and the CLOUDINARY_URL for the official SDKs.
type devBanner struct {
	// Edge, API and NATS are the parts' URLs (http://host:port,
	// nats://host:port).
	Edge, API, NATS string
	// APITLS is the origin's HTTPS listener's URL (https://host:port),
	// "" without origin.tls.
	APITLS string
	// EdgeMetrics and APIMetrics are the metrics listeners' URLs
	// (http://host:port), "" when off.
	EdgeMetrics, APIMetrics string
	// Data is the data directory.
	Data string
	// Cloud, Key and Secret are the cloud to try and its credentials.
	Cloud, Key, Secret string
	// Ready is how long start-up took, to ready.
	Ready time.Duration
}

func (b devBanner) write(w io.Writer) {
	cldURL := cloudinaryURL(b.Cloud, b.Key, b.Secret, b.API, b.Edge)
	fmt.Fprintf(w, `
mediacdn dev is ready (in %v); data in %s, Ctrl-C stops it.

  edge (delivery)       %s
  API (Upload, Admin)   %s/v1_1/%s/
%s  NATS (purges)         %s
%s  cloud                 %s   api_key %s   api_secret %s   (dev only)

Try (from the checkout):
  curl -u %s:%s -F file=@testdata/corpus/rocket.jpg -F public_id=rocket %s/v1_1/%s/image/upload
  then open %s/%s/image/upload/c_fill,h_200,w_300/rocket.jpg

The official SDKs read their settings from:
  export CLOUDINARY_URL='%s'

`, b.Ready.Round(time.Millisecond), b.Data,
		b.Edge, b.API, b.Cloud, b.tlsLine(), b.NATS, b.metricsLine(), b.Cloud, b.Key, b.Secret,
		b.Key, b.Secret, b.API, b.Cloud, b.Edge, b.Cloud, cldURL)
}

// tlsLine is the banner's line for the API over HTTPS, "" without it.
func (b devBanner) tlsLine() string {
	if b.APITLS == "" {
		return ""
	}
	return "  API over HTTPS        " + b.APITLS + "/v1_1/" + b.Cloud + "/\n"
}

// metricsLine is the banner's line for the metrics listeners, "" when
// both are off.
func (b devBanner) metricsLine() string {
	var parts []string
	if b.EdgeMetrics != "" {
		parts = append(parts, b.EdgeMetrics+"/metrics (edge)")
	}
	if b.APIMetrics != "" {
		parts = append(parts, b.APIMetrics+"/metrics (origin)")
	}
	if len(parts) == 0 {
		return ""
	}
	return "  metrics               " + strings.Join(parts, "   ") + "\n"
}

// cloudinaryURL is the CLOUDINARY_URL the official SDKs read to upload to
// api and deliver from edge (both http://host:port).
func cloudinaryURL(cloud, key, secret, api, edge string) string {
	return "cloudinary://" + url.PathEscape(key) + ":" + url.PathEscape(secret) + "@" + cloud +
		"?upload_prefix=" + api + "&secure=false&cname=" + strings.TrimPrefix(edge, "http://")
}
