package origin

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// generate_archive (the SDKs' create_zip, create_archive, download_zip_url,
// download_archive_url, download_folder): the originals of the assets
// selected by public_ids, prefixes and tags (or, with transformations,
// derived images of them made through the derive path), in a zip (or tgz)
// built as it is written, file by file from the blob store, never held
// whole in memory.
// mode=download (the SDKs' signed download URLs, GET or POST) streams it to
// the client; mode=create (the default) streams it into the blob store and
// records it as a raw asset. A selection is bounded in files and bytes
// (Config.Archives) before anything is written, and the writing by a
// deadline.

// Archives bounds generate_archive.
type Archives struct {
	// MaxFiles is how many files one archive may hold (each image once
	// per transformation asked for). Default 1000.
	MaxFiles int `yaml:"max_files"`
	// MaxBytes is the total size of the files (originals, derived
	// images) one archive may hold. Default 1GiB.
	MaxBytes config.Size `yaml:"max_bytes"`
	// Timeout bounds the writing of one archive: past it, a download is
	// cut off and a create fails with nothing stored. Default 10m.
	Timeout time.Duration `yaml:"timeout"`
}

// applyDefaults fills unset fields.
func (a *Archives) applyDefaults() {
	if a.MaxFiles == 0 {
		a.MaxFiles = 1000
	}
	if a.MaxBytes == 0 {
		a.MaxBytes = config.GiB
	}
	if a.Timeout == 0 {
		a.Timeout = 10 * time.Minute
	}
}

// validate checks the settings; the error names the field.
func (a *Archives) validate() error {
	switch {
	case a.MaxFiles < 0:
		return config.Errorf("archives.max_files", "must not be negative")
	case a.MaxBytes < 0:
		return config.Errorf("archives.max_bytes", "must not be negative")
	case a.Timeout < 0:
		return config.Errorf("archives.timeout", "must not be negative")
	}
	return nil
}

// check refuses an archive of files files of size bytes past the bounds.
func (a Archives) check(files int, size int64) error {
	if files > a.MaxFiles {
		return api.BadRequest("Too many files to archive: more than the %d an archive may hold", a.MaxFiles)
	}
	if size > int64(a.MaxBytes) {
		return api.BadRequest("Archive too large: the files selected are more than the %d bytes an archive may hold",
			int64(a.MaxBytes))
	}
	return nil
}

func generateArchiveSpec() api.MethodParams {
	return signedParams(api.MethodParams{
		Implemented: []string{"public_ids", "prefixes", "tags", "resource_type", "type", "mode",
			"target_format", "target_public_id", "target_tags", "target_asset_folder", "flatten_folders", "expires_at",
			"allow_missing", "use_original_filename", "transformations", "fully_qualified_public_ids",
			"flatten_transformations", "skip_transformation_name", "notification_url"},
		Refused: []string{"keep_derived", "async", "phash"},
	})
}

// archiveOptions are a generate_archive call's parameters.
type archiveOptions struct {
	rt                  delivery.ResourceType // ResourceNone: every type (the path's all)
	typ                 delivery.DeliveryType
	publicIDs, prefixes []string
	qualified           []string // fully_qualified_public_ids
	tags                []string
	download            bool
	format              string // zip or tgz
	targetPublicID      string
	targetTags          []string
	targetAssetFolder   string
	flatten, original   bool
	flattenTx           bool // flatten_transformations
	skipTxName          bool // skip_transformation_name
	allowMissing        bool
	expiresAt           time.Time // zero: none
	// transformations are eager-style entries ("tx" or "tx/format"): each
	// image is archived once per entry, transformed, instead of as is.
	transformations []string
}

func parseArchiveOptions(rt string, p *api.Params) (*archiveOptions, error) {
	o := &archiveOptions{publicIDs: p.Values("public_ids"), prefixes: p.List("prefixes"), tags: p.List("tags"),
		qualified:      p.List("fully_qualified_public_ids"),
		targetPublicID: p.Get("target_public_id"), targetTags: p.List("target_tags"),
		targetAssetFolder: p.Get("target_asset_folder")}
	if rt != "all" {
		o.rt = uploadRT(rt, p)
	}
	var err error
	if o.typ, err = typeParam(p, "type"); err != nil {
		return nil, err
	}
	switch m := p.Get("mode"); m {
	case "", "create":
	case "download":
		o.download = true
	default:
		return nil, api.BadRequest("Invalid mode - %s", api.Clip(m))
	}
	switch f := p.Get("target_format"); f {
	case "", "zip":
		o.format = "zip"
	case "tgz":
		o.format = "tgz"
	default:
		return nil, api.BadRequest("Invalid target_format - %s", api.Clip(f))
	}
	for _, b := range []struct {
		name string
		v    *bool
	}{{"flatten_folders", &o.flatten}, {"use_original_filename", &o.original}, {"allow_missing", &o.allowMissing},
		{"flatten_transformations", &o.flattenTx}, {"skip_transformation_name", &o.skipTxName}} {
		if *b.v, err = p.Bool(b.name, false); err != nil {
			return nil, err
		}
	}
	if s := p.Get("expires_at"); s != "" {
		at, ok := parseExpiresAt(s)
		if !ok {
			return nil, api.BadRequest("Invalid expires_at - %s", api.Clip(s))
		}
		o.expiresAt = at
	}
	if o.transformations, err = parseEager(p.Get("transformations")); err != nil {
		return nil, api.BadRequest("Invalid transformations - %s", api.Clip(p.Get("transformations")))
	}
	if len(o.publicIDs)+len(o.prefixes)+len(o.tags)+len(o.qualified) == 0 {
		return nil, api.BadRequest("Missing required parameter - public_ids, prefixes, tags or fully_qualified_public_ids")
	}
	if o.targetPublicID != "" {
		if err := api.CheckPublicID(o.targetPublicID); err != nil {
			return nil, err
		}
	}
	o.targetAssetFolder = strings.Trim(o.targetAssetFolder, "/")
	if err := api.CheckFolder(o.targetAssetFolder); err != nil { // it names folders, as asset_folder does
		return nil, err
	}
	return o, nil
}

// archiveAuthTime is the time a generate_archive call's signature is
// judged at: a download URL with expires_at (signed with the rest) is good
// until then, however old its timestamp, so it is judged as of its
// timestamp while expires_at is ahead. Every other call is judged now.
func archiveAuthTime(action string, p *api.Params, now time.Time) time.Time {
	if action != "generate_archive" || p.Get("mode") != "download" {
		return now
	}
	exp, ok := parseExpiresAt(p.Get("expires_at"))
	ts, err := strconv.ParseInt(p.Get("timestamp"), 10, 64)
	if !ok || err != nil || !now.Before(exp) {
		return now
	}
	return time.Unix(ts, 0)
}

// parseExpiresAt reads expires_at: unix seconds, whole or with a fraction
// (the Node SDK's own suite sends Date.now() / 1000 + 60), the fraction
// dropped.
func parseExpiresAt(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < 0 || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// archiveEntry is one file of an archive: its name there, its asset and,
// for a derived image, its transformation.
type archiveEntry struct {
	name string
	a    *meta.Asset
	tx   *eagerSpec // nil: the original
}

// generateArchive serves /<rt>/generate_archive.
func (c *call) generateArchive(rt string, p *api.Params) {
	if err := c.checkFolderParams(p); err != nil { // target_asset_folder in fixed folder mode
		c.fail(err)
		return
	}
	o, err := parseArchiveOptions(rt, p)
	if err != nil {
		c.fail(err)
		return
	}
	if o.download && !o.expiresAt.IsZero() && !c.s.now().Before(o.expiresAt) {
		c.fail(delivery.Errorf(http.StatusForbidden, "Download URL expired at %s", timeJSON(o.expiresAt)))
		return
	}
	w, err := c.madeWebhook(p, notifyArchive, o.download)
	if err != nil {
		c.fail(err)
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx(), c.s.cfg.Archives.Timeout)
	defer cancel()
	entries, err := c.archiveSelection(ctx, o)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = c.archiveTimeout()
		}
		c.fail(err)
		return
	}
	if o.download {
		c.downloadArchive(ctx, o, entries)
		return
	}
	c.createArchive(ctx, o, entries, p, w)
}

// archiveSelection finds the assets o selects, each once, in the order
// public_ids, prefixes, tags (each by public ID), named as they will be in
// the archive, within the configured bounds.
func (c *call) archiveSelection(ctx context.Context, o *archiveOptions) ([]archiveEntry, error) {
	bounds := c.s.cfg.Archives
	var out []archiveEntry
	seen := map[meta.Key]bool{}
	var total int64
	add := func(a *meta.Asset) error {
		if seen[a.Key] {
			return nil
		}
		seen[a.Key] = true
		total += a.Bytes
		out = append(out, archiveEntry{a: a})
		return bounds.check(len(out), total)
	}
	named, err := archiveNamed(c.cloud, o)
	if err != nil {
		return nil, err
	}
	for _, n := range named {
		found := false
		for _, k := range n.keys {
			a, err := c.s.meta.Asset(ctx, k)
			if errors.Is(err, meta.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, delivery.Internal(err)
			}
			found = true
			if err := add(a); err != nil {
				return nil, err
			}
		}
		if !found && !o.allowMissing {
			return nil, delivery.Errorf(http.StatusNotFound, "Resource not found - %s", api.Clip(n.name))
		}
	}
	for _, q := range archiveQueries(c.cloud, o) {
		for {
			page, err := c.s.meta.List(ctx, q)
			if err != nil {
				return nil, delivery.Internal(err)
			}
			for _, a := range page.Assets {
				if err := add(a); err != nil {
					return nil, err
				}
			}
			if page.Next == nil {
				break
			}
			q.After = page.Next
		}
	}
	if len(out) == 0 {
		return nil, api.BadRequest("No resources found for the archive")
	}
	nameEntries(out, o)
	return c.transformEntries(ctx, out, o)
}

// transformEntries replaces each image by one file per transformation of
// o, named <transformation>/<name>.<format> (with flatten_transformations
// <name>_<transformation>.<format>, its slashes made _; with
// skip_transformation_name <name>.<format>, a name taken twice getting
// _2, _3… before its extension), each made (or found) through
// the delivery's derive path and recorded as a derived image, so that a
// transformation that fails refuses the call before anything is written.
// Other assets stay originals. The files are bounded as the originals are.
func (c *call) transformEntries(ctx context.Context, entries []archiveEntry, o *archiveOptions) ([]archiveEntry, error) {
	if len(o.transformations) == 0 {
		return entries, nil
	}
	bounds := c.s.cfg.Archives
	files := 0
	for _, e := range entries {
		if e.a.ResourceType == delivery.Image {
			files += len(o.transformations)
		} else {
			files++
		}
	}
	if err := bounds.check(files, 0); err != nil {
		return nil, err // before any is made
	}
	var out []archiveEntry
	var total int64
	taken := map[string]bool{} // with skip_transformation_name
	for _, e := range entries {
		if e.a.ResourceType != delivery.Image {
			out = append(out, e)
			taken[e.name] = true
			total += e.a.Bytes
			continue
		}
		specs, err := c.s.eagerSpecs(ctx, c.cloud, o.transformations, e.a.Format)
		if err != nil {
			return nil, err
		}
		stem := strings.TrimSuffix(e.name, path.Ext(e.name))
		for i := range specs {
			sp := &specs[i]
			d, err := c.derivedOf(ctx, e.a, sp)
			if err != nil {
				return nil, err
			}
			name := sp.tx + "/" + stem + "." + sp.format.String()
			switch {
			case o.skipTxName:
				ext := "." + sp.format.String()
				name = stem + ext
				for n := 2; taken[name]; n++ {
					name = fmt.Sprintf("%s_%d%s", stem, n, ext)
				}
				taken[name] = true
			case o.flattenTx:
				name = stem + "_" + strings.ReplaceAll(sp.tx, "/", "_") + "." + sp.format.String()
			}
			out = append(out, archiveEntry{name: name, a: e.a, tx: sp})
			total += int64(len(d.body))
			if err := bounds.check(len(out), total); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// derivedOf finds or makes a's derived image sp, as delivery and explicit's
// eager do.
func (c *call) derivedOf(ctx context.Context, a *meta.Asset, sp *eagerSpec) (*delivered, error) {
	req := &deriveRequest{key: a.Key, tr: sp.tr, format: wantedFormat(sp.tr, sp.format), signed: true, cloud: c.cl,
		dk: meta.DerivedKey{Version: a.Version, Transformation: sp.tx, Format: sp.format.String()}}
	return c.s.findOrMake(ctx, req, a)
}

// namedAsset is an asset a call names, as it names it, and the keys it
// is looked up at.
type namedAsset struct {
	name string
	keys []meta.Key
}

// archiveNamed are the assets o names: each of public_ids in the path's
// resource types (every type for all), of the call's type; each of
// fully_qualified_public_ids (<resource_type>/<type>/<public_id>) at its
// key.
func archiveNamed(cloud string, o *archiveOptions) ([]namedAsset, error) {
	var out []namedAsset
	for _, id := range o.publicIDs {
		n := namedAsset{name: id}
		for _, rt := range archiveTypes(o.rt) {
			n.keys = append(n.keys, meta.Key{Cloud: cloud, ResourceType: rt, Type: o.typ, PublicID: id})
		}
		out = append(out, n)
	}
	for _, fq := range o.qualified {
		parts := strings.SplitN(fq, "/", 3)
		if len(parts) == 3 {
			rt, ok1 := delivery.ParseResourceType(parts[0])
			typ, ok2 := delivery.ParseDeliveryType(parts[1])
			if ok1 && ok2 && isStoredType(typ) && parts[2] != "" {
				out = append(out, namedAsset{name: fq, keys: []meta.Key{{Cloud: cloud, ResourceType: rt, Type: typ,
					PublicID: parts[2]}}})
				continue
			}
		}
		return nil, api.BadRequest("Invalid fully_qualified_public_ids - %s", api.Clip(fq))
	}
	return out, nil
}

// archiveTypes are the resource types a public ID is looked up in.
func archiveTypes(rt delivery.ResourceType) []delivery.ResourceType {
	if rt == delivery.ResourceNone {
		return []delivery.ResourceType{delivery.Image, delivery.Video, delivery.Raw}
	}
	return []delivery.ResourceType{rt}
}

// archiveQueries are the listings of o's prefixes and tags.
func archiveQueries(cloud string, o *archiveOptions) []meta.ListQuery {
	var qs []meta.ListQuery
	base := meta.ListQuery{Cloud: cloud, ResourceType: o.rt, Type: o.typ, Order: meta.ByPublicID, Limit: 500}
	for _, pre := range o.prefixes {
		q := base
		q.Prefix = pre
		qs = append(qs, q)
	}
	for _, tag := range o.tags {
		q := base
		q.Tag = tag
		qs = append(qs, q)
	}
	return qs
}

// nameEntries names each file: its public ID (or, with use_original_filename,
// its original filename in its folder) and format; with flatten_folders,
// without the folders. A name taken twice gets _2, _3… before its extension.
func nameEntries(entries []archiveEntry, o *archiveOptions) {
	taken := map[string]bool{}
	for i := range entries {
		a := entries[i].a
		name := a.PublicID
		if o.original && a.OriginalFilename != "" {
			name = path.Join(path.Dir(a.PublicID), a.OriginalFilename)
			if a.ResourceType == delivery.Raw {
				name += path.Ext(a.PublicID)
			}
		}
		name = strings.TrimPrefix(path.Clean("/"+name), "/") // never out of the archive's root
		if o.flatten {
			name = path.Base(name)
		}
		stem, ext := name, ""
		if a.Format != "" {
			ext = "." + a.Format
		} else if e := path.Ext(name); e != "" && !strings.Contains(e, "/") {
			stem, ext = strings.TrimSuffix(name, e), e
		}
		name = stem + ext
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s_%d%s", stem, n, ext)
		}
		taken[name] = true
		entries[i].name = name
	}
}

// archiveWriter writes one archive: zip or tgz.
type archiveWriter interface {
	add(name string, modified time.Time, size int64, compress bool, r io.Reader) error
	Close() error
}

func newArchiveWriter(format string, w io.Writer) archiveWriter {
	if format == "tgz" {
		gz := gzip.NewWriter(w)
		return &tgzWriter{gz: gz, tw: tar.NewWriter(gz)}
	}
	zw := zip.NewWriter(w)
	// Speed over ratio: what is deflated is raw files, written while a
	// client waits.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return &zipWriter{zw: zw}
}

type zipWriter struct{ zw *zip.Writer }

// add stores images and videos (already compressed) and deflates the rest.
func (z *zipWriter) add(name string, modified time.Time, size int64, compress bool, r io.Reader) error {
	h := &zip.FileHeader{Name: name, Modified: modified, Method: zip.Store}
	if compress {
		h.Method = zip.Deflate
	}
	w, err := z.zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

func (z *zipWriter) Close() error { return z.zw.Close() }

type tgzWriter struct {
	gz *gzip.Writer
	tw *tar.Writer
}

func (t *tgzWriter) add(name string, modified time.Time, size int64, _ bool, r io.Reader) error {
	if err := t.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: modified,
		Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err := io.Copy(t.tw, r)
	return err
}

func (t *tgzWriter) Close() error {
	if err := t.tw.Close(); err != nil {
		return err
	}
	return t.gz.Close()
}

// writeArchive writes the entries' originals to w, blob by blob, stopping
// when ctx ends.
func (c *call) writeArchive(ctx context.Context, format string, entries []archiveEntry, w io.Writer) error {
	aw := newArchiveWriter(format, w)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.addBlob(ctx, aw, e); err != nil {
			return err
		}
	}
	return aw.Close()
}

func (c *call) addBlob(ctx context.Context, aw archiveWriter, e archiveEntry) error {
	if e.tx != nil {
		d, err := c.derivedOf(ctx, e.a, e.tx)
		if err != nil {
			return fmt.Errorf("archive: %s of %s: %w", e.tx.tx, e.a.PublicID, err)
		}
		return aw.add(e.name, d.modified, int64(len(d.body)), false, bytes.NewReader(d.body))
	}
	r, err := c.s.blobs.Open(e.a.Blob)
	if err != nil {
		return fmt.Errorf("archive: open %s: %w", e.a.PublicID, err)
	}
	defer r.Close()
	return aw.add(e.name, e.a.UpdatedAt, r.Size(), e.a.ResourceType == delivery.Raw, ctxReader{ctx, r})
}

// ctxReader stops reading once its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// downloadArchive streams the archive as the answer. Once its first byte
// is out, a failure (the deadline, a missing blob) can only cut the
// connection, which the client sees as a truncated download.
func (c *call) downloadArchive(ctx context.Context, o *archiveOptions, entries []archiveEntry) {
	name := o.targetPublicID
	if name == "" {
		name = "download"
	}
	name = path.Base(name) + "." + o.format
	ct := "application/zip"
	if o.format == "tgz" {
		ct = "application/gzip"
	}
	h := c.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	h.Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusOK)
	if err := c.writeArchive(ctx, o.format, entries, c.w); err != nil {
		if c.ctx().Err() == nil {
			c.s.log.Warn("archive download cut off", "cloud", c.cloud, "err", err)
		}
		panic(http.ErrAbortHandler) // the client must not take a truncated archive for a whole one
	}
}

// createArchive streams the archive into the blob store and records it as
// a raw asset (target_public_id, else a random ID, with the format's
// extension), answering Cloudinary's create_archive fields. A failure
// part way, a client gone included, discards the blob: nothing is stored.
// w, when not nil, is its generate_archive notification, written with the
// asset.
func (c *call) createArchive(ctx context.Context, o *archiveOptions, entries []archiveEntry, p *api.Params, w *webhook) {
	bw, err := c.s.blobs.Create()
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	h := md5.New()
	cw := &countingWriter{w: io.MultiWriter(bw, h)}
	if err := c.writeArchive(ctx, o.format, entries, cw); err != nil {
		bw.Abort()
		if c.ctx().Err() != nil {
			return // the client is gone: nobody to answer
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			c.fail(c.archiveTimeout())
			return
		}
		c.fail(delivery.Internal(err))
		return
	}
	key, err := bw.Commit()
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	id := o.targetPublicID
	if id == "" {
		id = meta.RandomHex(10) + "." + o.format
	} else if !strings.HasSuffix(id, "."+o.format) {
		id += "." + o.format
	}
	now := c.s.now().UTC()
	a := &meta.Asset{
		Key:     meta.Key{Cloud: c.cloud, ResourceType: delivery.Raw, Type: delivery.Upload, PublicID: id},
		AssetID: meta.RandomHex(16), VersionID: meta.RandomHex(16), Bytes: cw.n, ETag: hex.EncodeToString(h.Sum(nil)),
		Blob: key, CreatedAt: now, UpdatedAt: now, Tags: o.targetTags, DisplayName: path.Base(id),
		AssetFolder: c.assetFolderOf(id, o.targetAssetFolder),
	}
	assets := map[meta.Key]bool{}
	for _, e := range entries {
		assets[e.a.Key] = true
	}
	answer := func(a *meta.Asset) archiveJSON {
		return archiveJSON{assetJSON: c.assetResponse(a), ResourceCount: len(assets), FileCount: len(entries)}
	}
	res, err := c.s.meta.Put(withMadeWebhook(c.ctx(), w, func(a *meta.Asset) any { return answer(a) }), a, true)
	if err != nil {
		c.s.deleteBlobs(key)
		c.fail(delivery.Internal(err))
		return
	}
	c.s.deleteBlobs(res.Orphans...)
	c.s.webhooks.wake()
	ev := Event{Kind: EventCreated, Asset: a.Key, NewVersion: a.Version, Time: a.UpdatedAt}
	if res.Prev != nil {
		ev.Kind, ev.OldVersion = EventOverwritten, res.Prev.Version
	}
	inv, err := c.s.events.Emit(c.ctx(), ev)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The archive was saved but its invalidation could not be published - retry the request"))
		return
	}
	j := answer(a)
	j.Invalidation = c.report(p, inv)
	c.ok(j)
}

// archiveTimeout is the answer to an archive not made by its deadline.
func (c *call) archiveTimeout() error {
	return delivery.Errorf(http.StatusServiceUnavailable, "Archive not made within %s", c.s.cfg.Archives.Timeout)
}

// archiveJSON is create_archive's answer: the raw asset, and how many
// assets and files the archive holds (the Go SDK's CreateArchiveResult).
type archiveJSON struct {
	assetJSON
	ResourceCount int `json:"resource_count"`
	FileCount     int `json:"file_count"`
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}
