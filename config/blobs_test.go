package config

import (
	"strings"
	"testing"
)

func TestBlobsURLParse(t *testing.T) {
	for raw, want := range map[string]BlobsLocation{
		"file:///var/lib/blobs/":        {Scheme: "file", Path: "/var/lib/blobs"},
		"file://localhost/srv/b":        {Scheme: "file", Path: "/srv/b"},
		"s3://media":                    {Scheme: "s3", Bucket: "media"},
		"s3://media.example/a/b/":       {Scheme: "s3", Bucket: "media.example", Prefix: "a/b"},
		"s3://media/p?region=eu-west-3": {Scheme: "s3", Bucket: "media", Prefix: "p", Region: "eu-west-3"},
		"s3://media?path_style=false":   {Scheme: "s3", Bucket: "media", PathStyle: "false"},
		"s3://my-bucket/blobs?endpoint=http://127.0.0.1:9000&path_style=true&region=x": {Scheme: "s3",
			Bucket: "my-bucket", Prefix: "blobs", Endpoint: "http://127.0.0.1:9000", PathStyle: "true", Region: "x"},
		"s3://b12?endpoint=https://s3.example.com/": {Scheme: "s3", Bucket: "b12", Endpoint: "https://s3.example.com"},
	} {
		got, err := BlobsURL(raw).Parse()
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", raw, got, err, want)
		}
		if err := BlobsURL(raw).Validate(); err != nil {
			t.Errorf("Validate(%s) = %v", raw, err)
		}
	}
}

func TestBlobsURLRefused(t *testing.T) {
	for raw, want := range map[string]string{
		"/var/lib/blobs":                       "scheme must be file or s3",
		"http://host/bucket":                   "scheme must be file or s3",
		"file://host/path":                     "local absolute path",
		"file:relative/path":                   "absolute path",
		"file:///p?x=1":                        "no query",
		"s3:///prefix":                         "names no bucket",
		"s3://":                                "names no bucket",
		"s3://Upper_Case/p":                    "not a valid bucket name",
		"s3://ab":                              "not a valid bucket name",
		"s3://key:secret@bucket/p":             "credentials do not go in the URL",
		"s3://bucket/a//b":                     "empty or .. segment",
		"s3://bucket/a/../b":                   "empty or .. segment",
		"s3://bucket?endpoint=127.0.0.1:9000":  "endpoint",
		"s3://bucket?endpoint=ftp://h:21":      "scheme must be one of",
		"s3://bucket?endpoint=http://h:1/path": "only scheme://host:port",
		"s3://bucket?path_style=yes":           "path_style must be true or false",
		"s3://bucket?regoin=eu":                `unknown parameter "regoin"`,
		"s3://bucket?region=a&region=b":        "given 2 times",
		"s3://bucket/%zz":                      "is not a URL",
	} {
		err := BlobsURL(raw).Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the secret: %v", raw, err)
		}
	}
	if err := BlobsURL("").Validate(); err != nil {
		t.Errorf("empty: %v", err)
	}
}

func TestBlobsURLResolve(t *testing.T) {
	if got := BlobsURL("").Resolve("/data"); got != "file:///data/blobs" {
		t.Errorf("default = %s", got)
	}
	got := BlobsURL("").Resolve("rel dir")
	loc, err := got.Parse()
	if err != nil || !strings.HasSuffix(loc.Path, "/rel dir/blobs") || !strings.HasPrefix(loc.Path, "/") {
		t.Errorf("relative default = %s: %+v, %v", got, loc, err)
	}
	if got := BlobsURL("s3://b12/p").Resolve("/data"); got != "s3://b12/p" {
		t.Errorf("set = %s", got)
	}
}
