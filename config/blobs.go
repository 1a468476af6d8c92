package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// BlobsURL is where an origin keeps its blobs (origin.blobs_url):
//
//	file:///var/lib/mediacdn/blobs
//	s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1&path_style=true
//
// Empty (the default) means the folder blobs in the origin's data_dir, as
// file://<data_dir>/blobs. An s3 URL names a bucket that exists and an
// optional prefix inside it; its query may set endpoint (an http or https
// URL; default AWS S3 of the region), region (default us-east-1, or what
// the endpoint answers) and path_style (true: bucket in the path, as most
// self-hosted servers want; false: bucket in the host name; default: the
// client decides, virtual hosts on AWS and paths elsewhere). Its
// credentials come from MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID and
// MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY, else from the standard AWS
// environment, credentials file and instance role, never from the URL.
type BlobsURL string

// Environment variables holding an S3 store's credentials.
const (
	EnvS3AccessKeyID     = EnvPrefix + "ORIGIN_S3_ACCESS_KEY_ID"
	EnvS3SecretAccessKey = EnvPrefix + "ORIGIN_S3_SECRET_ACCESS_KEY"
)

// BlobsLocation is a parsed BlobsURL. Scheme is "file" or "s3".
type BlobsLocation struct {
	Scheme string
	// Path is the folder of a file store.
	Path string
	// Bucket and Prefix (no leading or trailing slash; may be empty) of
	// an s3 store.
	Bucket, Prefix string
	// Endpoint is the s3 endpoint URL; empty means AWS.
	Endpoint string
	// Region is the s3 region; empty means the default.
	Region string
	// PathStyle is "true", "false" or "" (the client decides).
	PathStyle string
}

// Resolve is the URL with the default applied: file://<dataDir>/blobs
// when empty.
func (b BlobsURL) Resolve(dataDir string) BlobsURL {
	if b != "" {
		return b
	}
	abs, err := filepath.Abs(filepath.Join(dataDir, "blobs"))
	if err != nil {
		abs = filepath.Join(dataDir, "blobs")
	}
	return BlobsURL((&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String())
}

// Validate checks the URL's form (empty is valid: the default). Whether
// the store can be reached is checked when it is opened.
func (b BlobsURL) Validate() error {
	if b == "" {
		return nil
	}
	_, err := b.Parse()
	return err
}

// bucketName is S3's rule for bucket names: 3 to 63 lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Parse splits a non-empty URL into its parts; the error says what is
// wrong, without the field name (the caller adds it).
func (b BlobsURL) Parse() (BlobsLocation, error) {
	raw := string(b)
	u, err := url.Parse(raw)
	if err != nil {
		return BlobsLocation{}, fmt.Errorf("%q is not a URL", raw)
	}
	if u.User != nil {
		return BlobsLocation{}, fmt.Errorf("%q: credentials do not go in the URL (use %s and %s)",
			u.Redacted(), EnvS3AccessKeyID, EnvS3SecretAccessKey)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return BlobsLocation{}, fmt.Errorf("%q: a file URL names a local absolute path, file:///path", raw)
		}
		if u.RawQuery != "" {
			return BlobsLocation{}, fmt.Errorf("%q: a file URL takes no query", raw)
		}
		if !strings.HasPrefix(u.Path, "/") {
			return BlobsLocation{}, fmt.Errorf("%q: a file URL needs an absolute path, file:///path", raw)
		}
		return BlobsLocation{Scheme: "file", Path: filepath.Clean(filepath.FromSlash(u.Path))}, nil
	case "s3":
	default:
		return BlobsLocation{}, fmt.Errorf("%q: scheme must be file or s3", raw)
	}
	loc := BlobsLocation{Scheme: "s3", Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if loc.Bucket == "" {
		return BlobsLocation{}, fmt.Errorf("%q: names no bucket (s3://bucket/prefix)", raw)
	}
	if !bucketName.MatchString(loc.Bucket) {
		return BlobsLocation{}, fmt.Errorf("%q: %q is not a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)",
			raw, loc.Bucket)
	}
	if strings.Contains(loc.Prefix, "//") || slices.Contains(strings.Split(loc.Prefix, "/"), "..") {
		return BlobsLocation{}, fmt.Errorf("%q: the prefix %q has an empty or .. segment", raw, loc.Prefix)
	}
	q := u.Query()
	for k, v := range q {
		if len(v) != 1 {
			return BlobsLocation{}, fmt.Errorf("%q: %s is given %d times", raw, k, len(v))
		}
		switch k {
		case "endpoint":
			if err := CheckURL(v[0], "http", "https"); err != nil {
				return BlobsLocation{}, fmt.Errorf("endpoint: %v", err)
			}
			e, _ := url.Parse(v[0])
			if (e.Path != "" && e.Path != "/") || e.RawQuery != "" || e.User != nil {
				return BlobsLocation{}, fmt.Errorf("endpoint %q: only scheme://host:port", e.Redacted())
			}
			loc.Endpoint = e.Scheme + "://" + e.Host
		case "region":
			loc.Region = v[0]
		case "path_style":
			if v[0] != "true" && v[0] != "false" {
				return BlobsLocation{}, fmt.Errorf("path_style must be true or false, got %q", v[0])
			}
			loc.PathStyle = v[0]
		default:
			return BlobsLocation{}, fmt.Errorf("%q: unknown parameter %q (endpoint, region, path_style)", raw, k)
		}
	}
	return loc, nil
}
