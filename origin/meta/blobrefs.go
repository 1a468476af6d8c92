package meta

import (
	"context"
	"fmt"
)

// BlobRefStore lists the blobs the metadata refers to, for a consistency
// check of the blob store (`mediacdn fsck`).
type BlobRefStore interface {
	// BlobRefs calls fn with every blob an asset, a derived resource, a
	// backup, a chunk of a chunked upload in progress or a pending job
	// (an async upload's file) refers to, in no particular order; an error from fn stops it.
	// fn must not write to the store.
	BlobRefs(ctx context.Context, fn func(BlobRef) error) error
}

// BlobRef is one row that refers to a blob.
type BlobRef struct {
	Kind BlobRefKind
	Key
	Version int64
	// DerivedID is the derived resource's ID (RefDerived only).
	DerivedID int64
	// UploadID is the chunked upload's (RefChunk only, whose Key has only
	// the cloud) and Version the chunk's first byte.
	UploadID string
	Blob     string
}

// BlobRefKind says which kind of row refers to a blob.
type BlobRefKind string

// The rows that refer to blobs.
const (
	RefAsset   BlobRefKind = "asset"   // an asset's current original
	RefDerived BlobRefKind = "derived" // a derived resource
	RefBackup  BlobRefKind = "backup"  // a backed-up original
	RefChunk   BlobRefKind = "chunk"   // a chunk of a chunked upload in progress
	RefJob     BlobRefKind = "job"     // a file a pending job keeps (Version is the job's ID)
)

// BlobRefs implements BlobRefStore.
func (s *db) BlobRefs(ctx context.Context, fn func(BlobRef) error) error {
	rows, err := s.r.QueryContext(ctx, `
		SELECT 'asset', cloud, resource_type, type, public_id, version, 0, '', blob FROM assets
		UNION ALL
		SELECT 'derived', a.cloud, a.resource_type, a.type, a.public_id, d.version, d.id, '', d.blob
			FROM derived d JOIN assets a ON a.id = d.asset
		UNION ALL
		SELECT 'backup', cloud, resource_type, type, public_id, version, 0, '', blob FROM backups
		UNION ALL
		SELECT 'chunk', cloud, '', '', '', range_start, 0, upload_id, blob FROM chunks
		UNION ALL
		SELECT 'job', cloud, '', '', '', id, 0, '', blob FROM jobs WHERE blob <> '' AND state = 'pending'`)
	if err != nil {
		return fmt.Errorf("meta: blob refs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r BlobRef
		if err := rows.Scan(&r.Kind, &r.Cloud, &r.ResourceType, &r.Type, &r.PublicID, &r.Version, &r.DerivedID,
			&r.UploadID, &r.Blob); err != nil {
			return fmt.Errorf("meta: blob refs: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("meta: blob refs: %w", err)
	}
	return nil
}
