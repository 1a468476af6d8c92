package meta

import (
	"context"
	"errors"
	"fmt"

	"github.com/mediacdn/mediacdn/delivery"
)

// Publisher publishes assets in bulk: moves them from the authenticated
// or private type to upload, keeping their public IDs.
type Publisher interface {
	// Publish moves the assets q selects to the upload type, at most
	// q.Limit of them, in one transaction: all of them or none (an error).
	// An asset whose upload key is taken is not moved (Exists) unless
	// q.Overwrite, which replaces the asset there, but never one the same
	// call published (an authenticated and a private asset of the same
	// public ID: the first is published, the other Exists). Selections by prefix or
	// tag continue after q.After and report Next when more remain.
	Publish(ctx context.Context, q PublishQuery) (PublishResult, error)
}

// PublishQuery is one bulk publication.
type PublishQuery struct {
	// Selection uses PublicIDs, Prefixes or Tag, with Type (authenticated
	// or private) or Types (any of them).
	Selection
	// After is the Seq a previous call stopped at (0: from the start).
	After int64
	// Limit bounds the assets handled; at least 1.
	Limit int
	// Overwrite replaces an asset that has the published key.
	Overwrite bool
	// FixedFolders makes each asset's folder its public ID's folder (a
	// cloud of fixed folder mode), as RenameFixed does.
	FixedFolders bool
}

// PublishedAsset is what a bulk publication did to one asset, or to one
// requested public ID.
type PublishedAsset struct {
	// From is the asset's key before (the requested key when not found).
	From Key
	// Found is false for a requested public ID with no asset.
	Found bool
	// Exists is true when the upload key was taken and not overwritten.
	Exists bool
	// Asset is the published asset (nil when not published).
	Asset *Asset
	// OldVersion is the asset's version before.
	OldVersion int64
	// Replaced is the asset Overwrite replaced, if any.
	Replaced *Asset
}

// PublishResult is what Publish did.
type PublishResult struct {
	// Assets in request order for public IDs (with the ones not found),
	// else in Seq order.
	Assets []PublishedAsset
	// Orphans are blobs no row refers to any more: delete them afterwards.
	Orphans []string
	// Next is the Seq to continue after; 0 when nothing remains.
	Next int64
}

// NotifyMoved makes the notifications of an asset Publish moved from the
// key from (a is the asset moved). It runs as Notify does.
type NotifyMoved func(from Key, a *Asset) ([]*Notification, error)

type notifyMovedKey struct{}

// WithNotifyMoved returns a context whose Publish writes the notifications
// fn makes of each asset it moves, in its transaction.
func WithNotifyMoved(ctx context.Context, fn NotifyMoved) context.Context {
	return context.WithValue(ctx, notifyMovedKey{}, fn)
}

// Publish publishes in bulk.
func (s *db) Publish(ctx context.Context, q PublishQuery) (PublishResult, error) {
	if q.Limit < 1 {
		return PublishResult{}, fmt.Errorf("meta: publish: limit %d", q.Limit)
	}
	for _, t := range append([]delivery.DeliveryType{q.Type}, q.Types...) {
		if t == delivery.Upload {
			return PublishResult{}, errors.New("meta: publish: from upload")
		}
	}
	moved, _ := ctx.Value(notifyMovedKey{}).(NotifyMoved)
	var res PublishResult
	err := s.tx(ctx, func(tx *txn) error {
		res = PublishResult{} // from scratch if run again
		targets, next, err := publishTargets(ctx, tx, q)
		if err != nil {
			return err
		}
		res.Next = next
		published := map[Key]bool{} // the upload keys of this call: not overwritten
		for _, t := range targets {
			p := PublishedAsset{From: t.key, Found: t.found}
			if !t.found {
				res.Assets = append(res.Assets, p)
				continue
			}
			to := t.key
			to.Type = delivery.Upload
			if published[to] {
				p.Exists = true
				res.Assets = append(res.Assets, p)
				continue
			}
			actx := ctx
			if moved != nil {
				from := t.key
				actx = WithNotify(ctx, func(a *Asset) ([]*Notification, error) { return moved(from, a) })
			}
			var put PutResult
			old, _, err := getAsset(ctx, tx, t.key)
			if err == nil {
				p.OldVersion = old.Version
				p.Asset, err = s.renameIn(actx, tx, t.key, to, q.Overwrite, q.FixedFolders, &put)
			}
			switch {
			case errors.Is(err, ErrNotFound):
				p.Found = false
			case errors.Is(err, ErrExists):
				p.Exists = true
			case err != nil:
				return err
			default:
				p.Replaced = put.Prev
				res.Orphans = append(res.Orphans, put.Orphans...)
				published[to] = true
			}
			res.Assets = append(res.Assets, p)
		}
		return nil
	})
	return res, err
}

// publishTargets resolves a publication's selection: public IDs in
// request order (each of q.Types that has it when Type is not given),
// pages in Seq order.
func publishTargets(ctx context.Context, tx *txn, q PublishQuery) ([]target, int64, error) {
	if len(q.PublicIDs) == 0 || len(q.Types) == 0 {
		return selectTargets(ctx, tx, DeleteQuery{Selection: q.Selection, After: q.After, Limit: q.Limit})
	}
	var out []target
	for _, id := range q.PublicIDs {
		found := false
		for _, typ := range q.Types {
			k := Key{Cloud: q.Cloud, ResourceType: q.ResourceType, Type: typ, PublicID: id}
			_, _, err := getAsset(ctx, tx, k)
			switch {
			case errors.Is(err, ErrNotFound):
				continue
			case err != nil:
				return nil, 0, err
			}
			out = append(out, target{key: k, found: true})
			found = true
		}
		if !found {
			out = append(out, target{key: Key{Cloud: q.Cloud, ResourceType: q.ResourceType, PublicID: id}})
		}
	}
	return out, 0, nil
}
