package meta

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FolderStore keeps a cloud's folders as rows of their own: made when an
// asset lands in one (Put, Update, Rename set its ancestors too), by
// CreateFolder, and listed even when empty. An asset is in the folder its
// AssetFolder names (in fixed folder mode the origin keeps AssetFolder
// equal to the public ID's folder).
type FolderStore interface {
	// CreateFolder makes a folder and its missing ancestors; created is
	// false when the folder already existed.
	CreateFolder(ctx context.Context, cloud, path string, now time.Time) (f Folder, created bool, err error)
	// Folder returns one folder (ErrNotFound when missing).
	Folder(ctx context.Context, cloud, path string) (*Folder, error)
	// Folders lists the sub-folders of parent ("" for the root folders) in
	// path order after after, at most limit, and how many there are.
	Folders(ctx context.Context, cloud, parent, after string, limit int) ([]Folder, int, error)
	// DeleteFolder deletes an empty folder and its (empty) sub-folders and
	// returns their paths, the folder first. ErrNotFound when missing,
	// ErrFolderNotEmpty when an asset is in it or below it, ErrTooMany
	// when they are more than MaxFoldersChanged.
	DeleteFolder(ctx context.Context, cloud, path string) ([]string, error)
	// MoveFolder renames a folder and its sub-folders (merged into those
	// already at the new paths), and moves the assets in them (their
	// AssetFolder; public IDs are unchanged). ErrNotFound when from is
	// missing, ErrTooMany when the folders are more than MaxFoldersChanged
	// or the assets more than MaxAssetsMoved.
	MoveFolder(ctx context.Context, cloud, from, to string, now time.Time) error
	// FolderAssets returns the keys of up to limit assets in a folder or
	// below it, in creation order.
	FolderAssets(ctx context.Context, cloud, path string, limit int) ([]Key, error)
	// SearchFolders returns one page of the folders a Search Folders
	// expression matches (folders_search.go).
	SearchFolders(ctx context.Context, q FolderSearchQuery) (FolderPage, error)
}

// ErrFolderNotEmpty is DeleteFolder's refusal of a folder with assets.
var ErrFolderNotEmpty = errors.New("meta: folder is not empty")

// Bounds on one folder call's work, in one transaction: the folders a
// delete or a move changes (the folder and those below it), and the
// assets a move changes. Beyond them DeleteFolder and MoveFolder change
// nothing and return ErrTooMany: the caller does it part by part.
const (
	MaxFoldersChanged = 10_000
	MaxAssetsMoved    = 100_000
)

// atMost returns ErrTooMany when query (a SELECT 1 … with args) finds more
// than limit rows; it reads at most limit + 1.
func atMost(ctx context.Context, tx *txn, limit int, query string, args ...any) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+query+` LIMIT ?) x`, append(args, limit+1)...).Scan(&n)
	if err != nil {
		return fmt.Errorf("meta: folder: %w", err)
	}
	if n > limit {
		return ErrTooMany
	}
	return nil
}

// Folder is one folder of a cloud.
type Folder struct {
	Path       string // the full path, without leading or trailing slash
	ExternalID string // a random 32-hex id, kept across renames
	CreatedAt  time.Time
}

// Name is the folder's last path segment.
func (f Folder) Name() string { return f.Path[strings.LastIndexByte(f.Path, '/')+1:] }

// folderParent is the path of a folder's parent ("" at the root).
func folderParent(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return ""
}

// ensureFolders makes a folder and its ancestors if missing. It runs in
// every transaction that writes an asset.
func ensureFolders(ctx context.Context, tx *txn, cloud, path string, now time.Time) (created bool, err error) {
	for p := path; p != ""; p = folderParent(p) {
		r, err := tx.ExecContext(ctx, `INSERT INTO folders (cloud, path, parent, name, external_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cloud, path) DO NOTHING`,
			cloud, p, folderParent(p), Folder{Path: p}.Name(), RandomHex(16), now.UnixNano())
		if err != nil {
			return false, fmt.Errorf("meta: folders: %w", err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return false, fmt.Errorf("meta: folders: %w", err)
		}
		if n == 0 {
			break // it exists, and so do its ancestors
		}
		if p == path {
			created = true
		}
	}
	return created, nil
}

// CreateFolder makes a folder and its ancestors.
func (s *db) CreateFolder(ctx context.Context, cloud, path string, now time.Time) (Folder, bool, error) {
	var f *Folder
	var created bool
	err := s.tx(ctx, func(tx *txn) error {
		var err error
		if created, err = ensureFolders(ctx, tx, cloud, path, now); err != nil {
			return err
		}
		f, err = scanFolder(tx.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders WHERE cloud = ? AND path = ?`, cloud, path))
		return err
	})
	if err != nil {
		return Folder{}, false, err
	}
	return *f, created, nil
}

const folderColumns = `path, external_id, created_at`

func scanFolder(r rowScanner) (*Folder, error) {
	var f Folder
	var created int64
	err := r.Scan(&f.Path, &f.ExternalID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("meta: scan folder: %w", err)
	}
	f.CreatedAt = time.Unix(0, created).UTC()
	return &f, nil
}

// Folder returns one folder.
func (s *db) Folder(ctx context.Context, cloud, path string) (*Folder, error) {
	return scanFolder(s.r.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders WHERE cloud = ? AND path = ?`, cloud, path))
}

// Folders lists sub-folders in path order.
func (s *db) Folders(ctx context.Context, cloud, parent, after string, limit int) ([]Folder, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM folders WHERE cloud = ? AND parent = ?`, cloud, parent).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("meta: folders: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+folderColumns+` FROM folders
		WHERE cloud = ? AND parent = ? AND path > ? ORDER BY path LIMIT ?`, cloud, parent, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("meta: folders: %w", err)
	}
	defer rows.Close()
	var out []Folder
	for rows.Next() {
		f, err := scanFolder(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *f)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("meta: folders: %w", err)
	}
	return out, total, nil
}

// inFolder is a condition on assets (alias a): in the folder named by the
// two following arguments (the path, twice) or below it.
const inFolder = `(a.asset_folder = ? OR substr(a.asset_folder, 1, length(?) + 1) = ? || '/')`

// underFolder is a condition on folders: the folder (the path, three
// times) and its sub-folders.
const underFolder = `(path = ? OR substr(path, 1, length(?) + 1) = ? || '/')`

// DeleteFolder deletes an empty folder and its sub-folders.
func (s *db) DeleteFolder(ctx context.Context, cloud, path string) ([]string, error) {
	var deleted []string
	err := s.tx(ctx, func(tx *txn) error {
		deleted = nil
		if _, err := scanFolder(tx.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders
			WHERE cloud = ? AND path = ?`+tx.d.forUpdate(), cloud, path)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM assets a WHERE a.cloud = ? AND `+inFolder+` LIMIT 1) x`,
			cloud, path, path, path).Scan(&n); err != nil {
			return fmt.Errorf("meta: delete folder: %w", err)
		}
		if n > 0 {
			return ErrFolderNotEmpty
		}
		if err := atMost(ctx, tx, MaxFoldersChanged, `SELECT 1 FROM folders WHERE cloud = ? AND `+underFolder,
			cloud, path, path, path); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `DELETE FROM folders WHERE cloud = ? AND `+underFolder+` RETURNING path`,
			cloud, path, path, path)
		if err != nil {
			return fmt.Errorf("meta: delete folder: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				return fmt.Errorf("meta: delete folder: %w", err)
			}
			deleted = append(deleted, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	sortFolders(deleted)
	return deleted, nil
}

// sortFolders orders paths by depth, then by path: a folder before its
// sub-folders (in O(n log n): a folder may have any number of them).
func sortFolders(paths []string) {
	slices.SortFunc(paths, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/")), strings.Compare(a, b))
	})
}

// MoveFolder renames a folder, its sub-folders and the asset folders of
// the assets in them, in one transaction. Folders already at the new
// paths are kept (merged into).
func (s *db) MoveFolder(ctx context.Context, cloud, from, to string, now time.Time) error {
	return s.tx(ctx, func(tx *txn) error {
		if _, err := scanFolder(tx.QueryRowContext(ctx, `SELECT `+folderColumns+` FROM folders
			WHERE cloud = ? AND path = ?`+tx.d.forUpdate(), cloud, from)); err != nil {
			return err
		}
		if err := atMost(ctx, tx, MaxFoldersChanged, `SELECT 1 FROM folders WHERE cloud = ? AND `+underFolder,
			cloud, from, from, from); err != nil {
			return err
		}
		if err := atMost(ctx, tx, MaxAssetsMoved, `SELECT 1 FROM assets a WHERE a.cloud = ? AND `+inFolder,
			cloud, from, from, from); err != nil {
			return err
		}
		if _, err := ensureFolders(ctx, tx, cloud, folderParent(to), now); err != nil {
			return err
		}
		// from's prefix replaced by to's, in the folders and the assets.
		// A folder is never moved into itself (the caller checks).
		moved := `? || substr(%s, length(?) + 1)`
		if _, err := tx.ExecContext(ctx, `INSERT INTO folders (cloud, path, parent, name, external_id, created_at)
			SELECT cloud, `+fmt.Sprintf(moved, "path")+`,
				CASE WHEN path = ? THEN ? ELSE ? || substr(parent, length(?) + 1) END,
				CASE WHEN path = ? THEN ? ELSE name END, external_id, created_at
			FROM folders WHERE cloud = ? AND `+underFolder+`
			ON CONFLICT (cloud, path) DO NOTHING`,
			to, from, from, folderParent(to), to, from, from, Folder{Path: to}.Name(), cloud, from, from, from); err != nil {
			return fmt.Errorf("meta: move folder: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM folders WHERE cloud = ? AND `+underFolder,
			cloud, from, from, from); err != nil {
			return fmt.Errorf("meta: move folder: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assets SET asset_folder = `+fmt.Sprintf(moved, "asset_folder")+`
			WHERE cloud = ? AND `+strings.ReplaceAll(inFolder, "a.", ""),
			to, from, cloud, from, from, from); err != nil {
			return fmt.Errorf("meta: move folder: %w", err)
		}
		return nil
	})
}

// FolderAssets returns the keys of assets in a folder or below it.
func (s *db) FolderAssets(ctx context.Context, cloud, path string, limit int) ([]Key, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.cloud, a.resource_type, a.type, a.public_id FROM assets a
		WHERE a.cloud = ? AND `+inFolder+` ORDER BY a.id LIMIT ?`, cloud, path, path, path, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: folder assets: %w", err)
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.Cloud, &k.ResourceType, &k.Type, &k.PublicID); err != nil {
			return nil, fmt.Errorf("meta: folder assets: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// foldersSchema is the folders table of SQLite and (with collate, "C" for
// a bytewise order of paths) of PostgreSQL, an index of assets by asset
// folder, and the folders of the assets already stored (their ancestors
// too, split off one segment at a time by a recursive query: position is
// SQLite's instr or PostgreSQL's strpos, randomID an expression of a
// random 32-hex id). Times are unix nanoseconds.
func foldersSchema(collate, position, randomID string) string {
	return `CREATE TABLE folders (
		cloud       TEXT ` + collate + ` NOT NULL,
		path        TEXT ` + collate + ` NOT NULL,
		parent      TEXT ` + collate + ` NOT NULL,
		external_id TEXT NOT NULL,
		created_at  BIGINT NOT NULL,
		PRIMARY KEY (cloud, path)
	);
	CREATE INDEX folders_parent ON folders (cloud, parent, path);
	INSERT INTO folders (cloud, path, parent, external_id, created_at)
	WITH RECURSIVE split (cloud, rest, path, parent, created_at) AS (
		SELECT cloud, asset_folder || '/', '', '', min(created_at) FROM assets WHERE asset_folder <> ''
			GROUP BY cloud, asset_folder
		UNION ALL
		SELECT cloud, substr(rest, ` + position + `(rest, '/') + 1),
			CASE WHEN path = '' THEN '' ELSE path || '/' END || substr(rest, 1, ` + position + `(rest, '/') - 1),
			path, created_at
		FROM split WHERE rest <> ''
	)
	SELECT cloud, path, min(parent), ` + randomID + `, min(created_at) FROM split WHERE path <> ''
		GROUP BY cloud, path;`
}
