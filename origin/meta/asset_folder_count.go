package meta

import (
	"context"
	"fmt"
)

// assetFolderCountQuery counts a cloud's assets of one asset folder: a
// range of an index that starts with (cloud, asset_folder) —
// assets_search_asset_folder or assets_display_name — and no asset row, so
// its cost is the folder's size (one index entry per asset), as the
// Search API's total_count of an asset_folder expression.
const assetFolderCountQuery = `SELECT count(*) FROM assets WHERE cloud = ? AND asset_folder = ?`

// CountAssetFolder implements Lister.
func (s *db) CountAssetFolder(ctx context.Context, cloud, folder string) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, assetFolderCountQuery, cloud, folder).Scan(&n); err != nil {
		return 0, fmt.Errorf("meta: count asset folder: %w", err)
	}
	return n, nil
}
