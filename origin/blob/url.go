package blob

import (
	"context"
	"fmt"
	"os"

	"github.com/mediacdn/mediacdn/config"
)

// OpenURL opens the store an origin.blobs_url names (config.BlobsURL,
// with its default already applied):
//
//   - file:///path: NewFS(path, 0), which removes every staging file left
//     in path/tmp, so the caller must be the folder's only user (the
//     origin holds its data directory's lock);
//   - s3://bucket/prefix?endpoint=…&region=…&path_style=…: NewS3, with
//     the credentials of MEDIACDN_ORIGIN_S3_ACCESS_KEY_ID and
//     MEDIACDN_ORIGIN_S3_SECRET_ACCESS_KEY when set, else the standard AWS
//     chain. It checks, within ctx, the credentials and that the bucket
//     exists.
//
// Every error starts with origin.blobs_url and says what is wrong.
func OpenURL(ctx context.Context, raw string) (Store, error) {
	loc, err := config.BlobsURL(raw).Parse()
	if err != nil {
		return nil, fmt.Errorf("origin.blobs_url: %w", err)
	}
	if loc.Scheme == "file" {
		s, err := NewFS(loc.Path, 0)
		if err != nil {
			return nil, fmt.Errorf("origin.blobs_url: %s: %w", raw, err)
		}
		return s, nil
	}
	id, secret := os.Getenv(config.EnvS3AccessKeyID), os.Getenv(config.EnvS3SecretAccessKey)
	if (id == "") != (secret == "") {
		return nil, fmt.Errorf("origin.blobs_url: set both %s and %s, or neither",
			config.EnvS3AccessKeyID, config.EnvS3SecretAccessKey)
	}
	s, err := NewS3(ctx, S3Options{Endpoint: loc.Endpoint, Region: loc.Region, Bucket: loc.Bucket,
		Prefix: loc.Prefix, PathStyle: loc.PathStyle, AccessKeyID: id, SecretAccessKey: secret})
	if err != nil {
		return nil, fmt.Errorf("origin.blobs_url: %s: %w", raw, err)
	}
	return s, nil
}
