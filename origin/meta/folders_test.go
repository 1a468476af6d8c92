package meta

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestFolders(t *testing.T) { forEachStore(t, testFolders) }

func folderPaths(fs []Folder) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out
}

func testFolders(t *testing.T, s Store) {
	ctx := context.Background()
	// An asset landing in a/b/c makes the folder and its ancestors.
	a := asset("pic", "b1")
	a.AssetFolder = "a/b/c"
	if _, err := s.Put(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	f, created, err := s.CreateFolder(ctx, "demo", "x/y", now)
	if err != nil || !created || f.Path != "x/y" || f.Name() != "y" || len(f.ExternalID) != 32 {
		t.Fatalf("create: %+v %v %v", f, created, err)
	}
	if _, created, err := s.CreateFolder(ctx, "demo", "x/y", now); err != nil || created {
		t.Fatalf("create twice: %v %v", created, err)
	}
	if _, _, err := s.CreateFolder(ctx, "other", "a", now); err != nil {
		t.Fatal(err)
	}
	root, total, err := s.Folders(ctx, "demo", "", "", 1)
	if err != nil || total != 2 || !slices.Equal(folderPaths(root), []string{"a"}) {
		t.Fatalf("root page 1: %v %d %v", folderPaths(root), total, err)
	}
	root, _, err = s.Folders(ctx, "demo", "", "a", 1)
	if err != nil || !slices.Equal(folderPaths(root), []string{"x"}) {
		t.Fatalf("root page 2: %v %v", folderPaths(root), err)
	}
	sub, total, err := s.Folders(ctx, "demo", "a/b", "", 10)
	if err != nil || total != 1 || !slices.Equal(folderPaths(sub), []string{"a/b/c"}) {
		t.Fatalf("sub-folders: %v %d %v", folderPaths(sub), total, err)
	}
	if _, err := s.Folder(ctx, "demo", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing folder: %v", err)
	}

	// Not empty: an asset is below a.
	if _, err := s.DeleteFolder(ctx, "demo", "a"); !errors.Is(err, ErrFolderNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	keys, err := s.FolderAssets(ctx, "demo", "a", 10)
	if err != nil || len(keys) != 1 || keys[0].PublicID != "pic" {
		t.Fatalf("folder assets: %v %v", keys, err)
	}

	// Moving a to m/n moves the folders (merged into m/n/b) and the
	// asset's folder.
	if err := s.MoveFolder(ctx, "demo", "nope", "x", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("move a missing folder: %v", err)
	}
	if _, _, err := s.CreateFolder(ctx, "demo", "m/n/b", now); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveFolder(ctx, "demo", "a", "m/n", now); err != nil {
		t.Fatal(err)
	}
	got, err := s.Asset(ctx, a.Key)
	if err != nil || got.AssetFolder != "m/n/b/c" {
		t.Fatalf("asset after move: %+v %v", got, err)
	}
	sub, _, err = s.Folders(ctx, "demo", "m/n/b", "", 10)
	if err != nil || !slices.Equal(folderPaths(sub), []string{"m/n/b/c"}) {
		t.Fatalf("moved sub-folders: %v %v", folderPaths(sub), err)
	}
	if _, err := s.Folder(ctx, "demo", "a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old folder: %v", err)
	}
	root, _, _ = s.Folders(ctx, "demo", "", "", 10)
	if !slices.Equal(folderPaths(root), []string{"m", "x"}) {
		t.Fatalf("root after move: %v", folderPaths(root))
	}

	// Empty once the asset is gone: the folder and its sub-folders go.
	if _, err := s.Delete(ctx, a.Key); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteFolder(ctx, "demo", "m/n")
	if err != nil || !slices.Equal(deleted, []string{"m/n", "m/n/b", "m/n/b/c"}) {
		t.Fatalf("delete: %v %v", deleted, err)
	}
	if _, err := s.DeleteFolder(ctx, "demo", "m/n"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := s.Folder(ctx, "other", "a"); err != nil {
		t.Fatalf("another cloud's folder: %v", err)
	}
}

// TestFoldersMigration checks that the folders of assets stored before
// folders existed are made, ancestors too, by the migration (SQLite; the
// PostgreSQL migration is the same query with strpos).
func TestFoldersMigration(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/meta.db"
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:12] {
		if _, err := raw.ExecContext(ctx, m); err != nil {
			t.Fatalf("migration %d: %v", i+1, err)
		}
	}
	for i, folder := range []string{"p/q/r", "p/s", ""} {
		_, err := raw.ExecContext(ctx, `INSERT INTO assets (cloud, resource_type, type, public_id, asset_id, version,
			version_id, format, bytes, width, height, pages, etag, blob, created_at, updated_at, tags, context,
			metadata, moderation_status, original_filename, asset_folder, display_name, eager)
			VALUES ('demo', 'image', 'upload', ?, ?, 1, 'v', 'jpg', 1, 1, 1, 1, 'e', 'b', 1, 1, '[]', '{}', '{}', '', '', ?, '', '[]')`,
			fmt.Sprint("id", i), fmt.Sprint("asset", i), folder)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.ExecContext(ctx, `PRAGMA user_version = 12`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for parent, want := range map[string][]string{"": {"p"}, "p": {"p/q", "p/s"}, "p/q": {"p/q/r"}, "p/q/r": {}} {
		got, total, err := s.Folders(ctx, "demo", parent, "", 10)
		if err != nil || total != len(want) || !slices.Equal(folderPaths(got), want) {
			t.Errorf("folders of %q: %v %d %v, want %v", parent, folderPaths(got), total, err, want)
		}
	}
}

// sortFolders puts a folder before its sub-folders: by depth, then by path.
func TestSortFolders(t *testing.T) {
	paths := []string{"m/n/z", "m/n/a/b", "m/n", "m/n/a", "m/n/a/b/c", "m/n/ab"}
	sortFolders(paths)
	if want := []string{"m/n", "m/n/a", "m/n/ab", "m/n/z", "m/n/a/b", "m/n/a/b/c"}; !slices.Equal(paths, want) {
		t.Errorf("sorted %v, want %v", paths, want)
	}
}

func TestFoldersBounded(t *testing.T) { forEachStore(t, testFoldersBounded) }

// A delete or a move of a folder with more than MaxFoldersChanged
// sub-folders changes nothing and answers ErrTooMany; at the bound it
// goes through.
func testFoldersBounded(t *testing.T, s Store) {
	ctx := context.Background()
	var d *db
	switch x := s.(type) {
	case *SQLite:
		d = &x.db
	case *Postgres:
		d = &x.db
	default:
		t.Fatalf("store %T", s)
	}
	if _, _, err := s.CreateFolder(ctx, "demo", "big", now); err != nil {
		t.Fatal(err)
	}
	// MaxFoldersChanged sub-folders: with big itself, one too many.
	if _, err := d.w.ExecContext(ctx, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO folders (cloud, path, parent, external_id, created_at)
		SELECT 'demo', 'big/' || i, 'big', 'x' || i, 0 FROM n`, MaxFoldersChanged)); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveFolder(ctx, "demo", "big", "moved", now); !errors.Is(err, ErrTooMany) {
		t.Fatalf("move past the bound: %v", err)
	}
	if _, err := s.DeleteFolder(ctx, "demo", "big"); !errors.Is(err, ErrTooMany) {
		t.Fatalf("delete past the bound: %v", err)
	}
	if _, total, err := s.Folders(ctx, "demo", "big", "", 1); err != nil || total != MaxFoldersChanged {
		t.Fatalf("nothing changed: %d %v", total, err)
	}
	if _, err := s.DeleteFolder(ctx, "demo", "big/1"); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteFolder(ctx, "demo", "big")
	if err != nil || len(deleted) != MaxFoldersChanged || deleted[0] != "big" {
		t.Fatalf("delete at the bound: %d %v", len(deleted), err)
	}
}
