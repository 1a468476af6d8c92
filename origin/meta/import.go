package meta

import (
	"context"
	"errors"
)

// Importer loads assets in bulk.
type Importer interface {
	// Import inserts many new assets in one transaction, as Put would one
	// by one without overwrite; ErrExists, inserting nothing, if any key
	// is taken.
	Import(ctx context.Context, assets []*Asset) error
}

// Import inserts many new assets in one transaction, as Put would one by
// one without overwrite (bulk loading: migrations and benchmarks). It fails
// with ErrExists, inserting nothing, if any key is taken.
func (s *db) Import(ctx context.Context, assets []*Asset) error {
	return s.tx(ctx, func(tx *txn) error {
		for _, a := range assets {
			if err := lockKeys(ctx, tx, a.Key); err != nil {
				return err
			}
			if _, _, err := getAsset(ctx, tx, a.Key); err == nil {
				return ErrExists
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			v, err := nextVersion(ctx, tx, a.Key, a.UpdatedAt.Unix())
			if err != nil {
				return err
			}
			a.Version, a.AccessMode = v, accessMode(a.AccessMode)
			id, err := insertAsset(ctx, tx, a)
			if err != nil {
				return err
			}
			a.Seq = id
			if err := setIndexes(ctx, tx, id, a); err != nil {
				return err
			}
		}
		return nil
	})
}
