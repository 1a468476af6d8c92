package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/mediacdn/mediacdn/delivery"
)

// TagStore changes tags across assets.
type TagStore interface {
	// SetExclusiveTags gives q.Tags to the assets of q.PublicIDs (of
	// q.Type) and removes them from every other asset of the cloud and
	// resource type, whatever its type, in one transaction: when an error
	// comes (Check's included), nothing has changed.
	SetExclusiveTags(ctx context.Context, q ExclusiveTags) (ExclusiveTagsResult, error)
}

// ExclusiveTags is one set_exclusive call.
type ExclusiveTags struct {
	Cloud        string
	ResourceType delivery.ResourceType
	Type         delivery.DeliveryType
	PublicIDs    []string
	Tags         []string
	// Check vets an asset's tags once they are added (the limit on an
	// asset's tags); its error aborts the whole change.
	Check func(tags []string) error
	// Time is the changed assets' new updated_at.
	Time time.Time
	// Notify, when not nil, makes the notifications of the change of
	// one asset's tags from before, written in the same transaction; it
	// is called for each asset whose tags changed and runs as Notify does.
	Notify func(r Retagged, before []string) ([]*Notification, error)
}

// Retagged is an asset whose tags a call changed.
type Retagged struct {
	Key
	AssetID string
	Version int64
	Tags    []string // after the change
}

// ExclusiveTagsResult is what SetExclusiveTags did.
type ExclusiveTagsResult struct {
	// Tagged are the assets of PublicIDs that exist, in that order, each
	// once.
	Tagged []Retagged
	// Untagged are the other assets the tags were removed from, by Seq.
	Untagged []Retagged
}

// SetExclusiveTags tags the assets named and untags every other one.
func (s *db) SetExclusiveTags(ctx context.Context, q ExclusiveTags) (ExclusiveTagsResult, error) {
	var res ExclusiveTagsResult
	err := s.tx(ctx, func(tx *txn) error {
		res = ExclusiveTagsResult{}
		kept := map[int64]bool{}
		for _, id := range q.PublicIDs {
			a, row, err := getAsset(ctx, tx, Key{q.Cloud, q.ResourceType, q.Type, id})
			if errors.Is(err, ErrNotFound) || kept[row] {
				continue
			}
			if err != nil {
				return err
			}
			kept[row] = true
			before := slices.Clone(a.Tags)
			for _, t := range q.Tags {
				if !slices.Contains(a.Tags, t) {
					a.Tags = append(a.Tags, t)
				}
			}
			if q.Check != nil {
				if err := q.Check(a.Tags); err != nil {
					return err
				}
			}
			a.UpdatedAt = q.Time
			if err := updateAsset(ctx, tx, row, a); err != nil {
				return err
			}
			if err := setTags(ctx, tx, row, a); err != nil {
				return err
			}
			if err := setTagTokens(ctx, tx, row, a.Cloud, a.Tags); err != nil {
				return err
			}
			r := Retagged{Key: a.Key, AssetID: a.AssetID, Version: a.Version, Tags: a.Tags}
			res.Tagged = append(res.Tagged, r)
			if len(a.Tags) != len(before) {
				if err := s.notifyRetagged(ctx, tx, q, r, before); err != nil {
					return err
				}
			}
		}
		others, err := taggedAssets(ctx, tx, q.Cloud, q.ResourceType, q.Tags)
		if err != nil {
			return err
		}
		for _, row := range others {
			if kept[row] {
				continue
			}
			r, before, err := untag(ctx, tx, row, q.Tags, q.Time)
			if err != nil {
				return err
			}
			res.Untagged = append(res.Untagged, r)
			if err := s.notifyRetagged(ctx, tx, q, r, before); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// notifyRetagged writes, in tx, the notifications q.Notify makes of r's
// change from before.
func (s *db) notifyRetagged(ctx context.Context, tx *txn, q ExclusiveTags, r Retagged, before []string) error {
	if q.Notify == nil {
		return nil
	}
	list, err := q.Notify(r, before)
	if err != nil {
		return err
	}
	return s.enqueueAll(ctx, tx, list)
}

// taggedAssets are the rows of the assets of a cloud and resource type
// with any of tags (the tag index), in Seq order.
func taggedAssets(ctx context.Context, tx *txn, cloud string, rt delivery.ResourceType, tags []string) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for _, tag := range tags {
		rows, err := tx.QueryContext(ctx, `SELECT asset FROM asset_tags WHERE cloud = ? AND resource_type = ? AND tag = ?`,
			cloud, rt, tag)
		if err != nil {
			return nil, fmt.Errorf("meta: tagged assets: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("meta: tagged assets: %w", err)
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("meta: tagged assets: %w", err)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// untag removes tags from the asset at row.
func untag(ctx context.Context, tx *txn, row int64, tags []string, now time.Time) (r Retagged, before []string, _ error) {
	var have string
	err := tx.QueryRowContext(ctx, `SELECT cloud, resource_type, type, public_id, asset_id, version, tags FROM assets WHERE id = ?`+tx.d.forUpdate(),
		row).Scan(&r.Cloud, &r.ResourceType, &r.Type, &r.PublicID, &r.AssetID, &r.Version, &have)
	if err != nil {
		return r, nil, fmt.Errorf("meta: untag: %w", err)
	}
	if err := json.Unmarshal([]byte(have), &before); err != nil {
		return r, nil, fmt.Errorf("meta: untag %d: %w", row, err)
	}
	r.Tags = slices.DeleteFunc(slices.Clone(before), func(t string) bool { return slices.Contains(tags, t) })
	if _, err := tx.ExecContext(ctx, `UPDATE assets SET tags = ?, updated_at = ? WHERE id = ?`,
		jsonText(nonNilTags(r.Tags)), now.UnixNano(), row); err != nil {
		return r, nil, fmt.Errorf("meta: untag: %w", err)
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `DELETE FROM asset_tags WHERE asset = ? AND tag = ?`, row, t); err != nil {
			return r, nil, fmt.Errorf("meta: untag: %w", err)
		}
	}
	return r, before, setTagTokens(ctx, tx, row, r.Cloud, r.Tags)
}
