package origin

import (
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// deleteTokenTTL is how long an upload's delete token works.
const deleteTokenTTL = 10 * 60 // seconds

// uploadOptions are the upload parameters the origin acts on
// (upload_paramspec.go lists them; docs/upload-api.md describes them).
type uploadOptions struct {
	publicID, folder            string
	useFilename, uniqueFilename bool
	overwrite, invalidate       bool
	returnDeleteToken           bool
	typ                         delivery.DeliveryType
	tags                        []string
	context                     map[string]string
	format                      string
	allowedFormats              []string
	eager                       []string
	displayName, assetFolder    string
	contextGiven, tagsGiven     bool
	eagerGiven                  bool
	displayNameGiven            bool
	assetFolderGiven            bool
	resourceTypeOverride        string
	moderation                  string // "" or manual: the asset waits in the manual moderation queue
	accessMode                  string // "" (an overwrite keeps the asset's), public or authenticated
	// accessControl is nil (an overwrite keeps the asset's) unless given
	// (accesscontrol.go).
	accessControl      []meta.AccessRule
	accessControlGiven bool
	// transformation is the incoming transformation (upload_incoming.go).
	transformation string
	// breakpoints are the responsive_breakpoints requests (upload_breakpoints.go).
	breakpoints []breakpointSpec
	// filenameOverride replaces the uploaded file's name.
	filenameOverride string
	// useFilenameAsDisplayName names the asset after its file when no
	// display_name is given; discardOriginalFilename keeps no file name.
	useFilenameAsDisplayName, discardOriginalFilename bool
	// uniqueDisplayName makes the display name unique in the asset folder
	// (withUniqueDisplayName).
	uniqueDisplayName bool
	// backup overrides the cloud's backup setting for this version (nil:
	// the cloud's setting).
	backup *bool
	// analyse asks for colors, phash, image_metadata (or media_metadata)
	// and exif in the response.
	analyse analysisFlags
	// coords are face_coordinates and custom_coordinates, each stored
	// when given (facesGiven, customGiven): g_face and g_custom read them.
	coords                  meta.Coordinates
	facesGiven, customGiven bool
	// eagerAsync makes the eager images in the background, notifying
	// eagerNotificationURL (else notification_url) when they are made
	// (upload_eager_async.go).
	eagerAsync           bool
	eagerNotificationURL string
	// async stores the upload in the background (upload_async.go).
	async bool
}

func parseUploadOptions(p *api.Params) (*uploadOptions, error) {
	o := &uploadOptions{publicID: p.Get("public_id"), format: strings.ToLower(p.Get("format")),
		displayName: p.Get("display_name"), resourceTypeOverride: p.Get("resource_type"),
		transformation: p.Get("transformation"), filenameOverride: p.Get("filename_override")}
	if err := api.CheckDisplayName(o.displayName); err != nil {
		return nil, err
	}
	prefixByAssetFolder, err := o.parseFlags(p)
	if err != nil {
		return nil, err
	}
	if o.analyse, err = parseAnalysisFlags(p); err != nil {
		return nil, err
	}
	if err := o.parseFolders(p, prefixByAssetFolder); err != nil {
		return nil, err
	}
	o.typ = delivery.Upload
	if t := p.Get("type"); t != "" {
		typ, ok := delivery.ParseDeliveryType(t)
		if !ok || !isStoredType(typ) {
			return nil, api.BadRequest("Invalid type - %s (must be upload, private or authenticated)", api.Clip(t))
		}
		o.typ = typ
	}
	o.tagsGiven = p.Has("tags")
	o.tags = api.Dedupe(p.List("tags"))
	if err := api.CheckTags(o.tags); err != nil {
		return nil, err
	}
	o.contextGiven = p.Has("context")
	if o.context, err = api.ParseContext(strings.Join(p.Values("context"), "|")); err != nil {
		return nil, err
	}
	o.allowedFormats = p.List("allowed_formats")
	switch o.moderation = p.Get("moderation"); o.moderation {
	case "", "manual":
	default:
		return nil, api.BadRequest("Unsupported moderation - %s (only manual is available)", api.Clip(o.moderation))
	}
	if o.accessMode, err = api.ParseAccessMode(p); err != nil {
		return nil, err
	}
	if o.accessControl, o.accessControlGiven, err = parseAccessControl(p); err != nil {
		return nil, err
	}
	o.eagerGiven = p.Has("eager")
	if o.eager, err = parseEager(strings.Join(p.Values("eager"), "|")); err != nil {
		return nil, err
	}
	if err := o.parseEagerAsync(p); err != nil {
		return nil, err
	}
	if o.async, err = p.Bool("async", false); err != nil {
		return nil, err
	}
	if o.breakpoints, err = parseBreakpoints(p.Get("responsive_breakpoints")); err != nil {
		return nil, err
	}
	if err := o.parseCoordinates(p); err != nil {
		return nil, err
	}
	return o, nil
}

// parseCoordinates reads face_coordinates and custom_coordinates
// ("x,y,w,h|x,y,w,h", as the Admin API's update takes them).
func (o *uploadOptions) parseCoordinates(p *api.Params) error {
	for _, c := range []struct {
		key   string
		dst   *[][4]int
		given *bool
	}{{"face_coordinates", &o.coords.Faces, &o.facesGiven}, {"custom_coordinates", &o.coords.Custom, &o.customGiven}} {
		if !p.Has(c.key) {
			continue
		}
		regions, err := parseCoordinates(p.Values(c.key))
		if err != nil {
			return api.BadRequest("Invalid %s - %s", c.key, err.Error())
		}
		*c.dst, *c.given = regions, true
	}
	return nil
}

// limitCoordinates limits an upload's face_coordinates and
// custom_coordinates to the image's size, as Cloudinary: x and w at most
// its width, y and h at most its height (each on its own: a region may
// still reach past the edge). Files without a size keep them as given;
// explicit and update keep them as given too, as Cloudinary's do.
func limitCoordinates(c meta.Coordinates, width, height int) meta.Coordinates {
	if width <= 0 || height <= 0 {
		return c
	}
	limit := func(regions [][4]int) [][4]int {
		if regions == nil {
			return nil
		}
		out := make([][4]int, len(regions))
		for i, r := range regions {
			out[i] = [4]int{min(r[0], width), min(r[1], height), min(r[2], width), min(r[3], height)}
		}
		return out
	}
	return meta.Coordinates{Faces: limit(c.Faces), Custom: limit(c.Custom)}
}

// parseFlags reads the upload's boolean options and backup;
// prefixByAssetFolder is use_asset_folder_as_public_id_prefix, for
// parseFolders.
func (o *uploadOptions) parseFlags(p *api.Params) (prefixByAssetFolder bool, err error) {
	bools := []struct {
		dst *bool
		key string
		def bool
	}{
		{&o.useFilename, "use_filename", false}, {&o.uniqueFilename, "unique_filename", true},
		{&o.overwrite, "overwrite", true}, {&o.invalidate, "invalidate", false},
		{&o.returnDeleteToken, "return_delete_token", false},
		{&o.useFilenameAsDisplayName, "use_filename_as_display_name", false},
		{&o.discardOriginalFilename, "discard_original_filename", false},
		{&o.uniqueDisplayName, "unique_display_name", false},
		{&prefixByAssetFolder, "use_asset_folder_as_public_id_prefix", false},
	}
	for _, b := range bools {
		if *b.dst, err = p.Bool(b.key, b.def); err != nil {
			return false, err
		}
	}
	if p.Has("backup") && p.Get("backup") != "" {
		b, err := p.Bool("backup", false)
		if err != nil {
			return false, err
		}
		o.backup = &b
	}
	return prefixByAssetFolder, nil
}

// parseFolders reads where the asset goes: the public ID's folder (folder,
// public_id_prefix, or the asset folder with prefixByAssetFolder) and the
// asset folder (asset_folder, else the folder).
func (o *uploadOptions) parseFolders(p *api.Params, prefixByAssetFolder bool) error {
	o.folder = strings.Trim(p.Get("folder"), "/")
	af := strings.Trim(p.Get("asset_folder"), "/")
	o.assetFolderGiven, o.displayNameGiven = p.Has("asset_folder"), p.Has("display_name")
	if prefixByAssetFolder && af != "" {
		o.folder = af // the asset folder is the public ID's prefix
	}
	if prefix := strings.Trim(p.Get("public_id_prefix"), "/"); prefix != "" {
		o.folder = strings.Trim(o.folder+"/"+prefix, "/")
	}
	if err := api.CheckFolder(o.folder); err != nil {
		return err
	}
	o.assetFolder = o.folder
	if o.assetFolderGiven {
		if err := api.CheckFolder(af); err != nil { // it names folders (meta.FolderStore) as folder does
			return err
		}
		o.assetFolder = af
	}
	return nil
}

// maxEager bounds an eager list: each is a transform made before the
// answer (or a job's work with eager_async) and an entry of the answer.
const maxEager = 100

// parseEager checks an eager list: transformations separated by "|", each
// optionally followed by "/<format>"; at most maxEager.
func parseEager(s string) ([]string, error) {
	var out []string
	for _, e := range strings.Split(s, "|") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if len(out) == maxEager {
			return nil, api.BadRequest("Too many eager transformations - at most %d", maxEager)
		}
		tx, _ := splitEagerFormat(e)
		if _, err := delivery.ParseTransformation(tx); err != nil {
			return nil, api.BadRequest("Invalid eager transformation %s - %s", api.Clip(e), err.Error())
		}
		out = append(out, e)
	}
	return out, nil
}

// eagerNotForKind refuses eager transformations of what this server only
// transforms as images.
func eagerNotForKind(rt delivery.ResourceType) *delivery.Error {
	return api.BadRequest("Parameter eager is not supported by this server for %s files", rt)
}

// splitEagerFormat splits "c_fill,w_100/jpg" into the transformation and
// the format; a last segment that is a known format is the format.
func splitEagerFormat(e string) (tx, format string) {
	if i := strings.LastIndexByte(e, '/'); i >= 0 {
		if _, ok := delivery.ParseFormat(e[i+1:]); ok {
			return e[:i], strings.ToLower(e[i+1:])
		}
	}
	return e, ""
}

// fileKind is what an upload turned out to be.
type fileKind struct {
	rt            delivery.ResourceType
	format        string
	width, height int
	pages         int
}

// sniffBytes is how much of a file sniffVideo reads.
const sniffBytes = 256

// classify decides the resource type (detecting it for auto) and reads an
// image's format and size from its header.
func (c *call) classify(rt, override string, src *upfile) (fileKind, error) {
	if rt == "auto" {
		switch override {
		case "image", "video", "raw":
			rt = override
		}
	}
	switch rt {
	case "image":
		m, err := src.mapped()
		if err != nil {
			return fileKind{}, err
		}
		info, err := c.s.images.ProbeMapped(m)
		if err != nil {
			return fileKind{}, err
		}
		// A truncated or corrupt image is refused here, not stored to fail
		// every transform: kind says it is an image all the same.
		kind := fileKind{rt: delivery.Image, format: info.Format.String(), width: info.Width, height: info.Height, pages: max(info.Pages, 1)}
		return kind, c.s.images.VerifyMapped(c.ctx(), m)
	case "video":
		f, ok := sniffVideo(src.Head(sniffBytes))
		if !ok {
			return fileKind{}, api.BadRequest("Invalid video file")
		}
		return fileKind{rt: delivery.Video, format: f, pages: 1}, nil
	case "raw":
		return fileKind{rt: delivery.Raw}, nil
	}
	if k, err := c.classify("image", "", src); err == nil || k.rt == delivery.Image {
		return k, err
	}
	if _, ok := sniffVideo(src.Head(sniffBytes)); ok {
		return c.classify("video", "", src)
	}
	return fileKind{rt: delivery.Raw}, nil
}

// choosePublicID applies public_id, folder, use_filename and
// unique_filename. A raw file's generated ID keeps the file's extension.
func choosePublicID(o *uploadOptions, kind fileKind, filename string) (id, original string, err error) {
	stem, ext := api.FilenameStem(filename)
	switch {
	case o.publicID != "":
		id = o.publicID
	case o.useFilename:
		id = stem
		if o.uniqueFilename {
			id += "_" + api.RandomID(6)
		}
	default:
		id = api.RandomID(20)
	}
	if o.publicID == "" && kind.rt == delivery.Raw && ext != "" {
		id += "." + ext
	}
	if o.folder != "" {
		id = o.folder + "/" + id
	}
	return id, stem, api.CheckPublicID(id)
}

// upload serves POST /v1_1/<cloud>/<rt>/upload. The file is read from
// disk (upload_spool.go) at every step: probed, transformed and analysed from a
// mapping, streamed into the blob store.
func (c *call) upload(rt string, p *api.Params) {
	if err := c.applyPreset(p, nil); err != nil {
		c.fail(err)
		return
	}
	o, err := parseUploadOptions(p)
	if err == nil {
		err = c.checkFolderParams(p)
	}
	if err == nil {
		_, err = notificationURL(p) // checked before anything is stored (commitUpload uses it)
	}
	var md map[string]any
	if err == nil {
		md, err = c.uploadMetadata(p) // checked before the file is processed (metadata_values.go)
	}
	if err != nil {
		c.fail(err)
		return
	}
	if o.async {
		c.uploadAsync(rt, p, o) // upload_async.go
		return
	}
	src, err := c.uploadedFile(p, o)
	if err != nil {
		c.fail(err)
		return
	}
	if src == nil {
		c.ok(map[string]any{"done": false}) // a chunk, not the last
		return
	}
	c.uploadFrom(rt, p, o, md, src)
}

// uploadFrom stores src, the upload's whole file, which it closes, with
// the structured metadata md, and answers.
func (c *call) uploadFrom(rt string, p *api.Params, o *uploadOptions, md map[string]any, src *upfile) {
	defer func() { src.close() }() // src changes below
	kind, err := c.classify(rt, o.resourceTypeOverride, src)
	if err == nil {
		src, kind, err = c.incoming(src, kind, o)
	}
	if err != nil {
		c.fail(err)
		return
	}
	id, original, err := choosePublicID(o, kind, src.Name)
	if err != nil {
		c.fail(err)
		return
	}
	if o.discardOriginalFilename {
		original = ""
	}
	o.coords = limitCoordinates(o.coords, kind.width, kind.height)
	// The analyses and eager images asked for are made before anything is
	// stored: one that fails refuses the upload with nothing changed.
	detect, _ := o.analyse.givenFaces(o.coords.Faces)
	an, stored, err := c.analyseUpload(kind.rt, src, detect)
	if err != nil {
		c.fail(err)
		return
	}
	made, err := c.makeEagerFrom(src, kind.format, o)
	if err != nil {
		c.fail(err)
		return
	}
	bps, err := c.makeBreakpoints(src, kind.format, o)
	if err != nil {
		c.fail(err)
		return
	}
	a, err := c.storeNew(src.Reader(), kind, id, original, o)
	if err != nil {
		c.fail(err)
		return
	}
	a.Analysis = stored
	a.Metadata = md
	if o.useFilenameAsDisplayName && !o.displayNameGiven {
		stem, _ := api.FilenameStem(src.Name)
		a.DisplayName = api.ClipDisplayName(stem)
	}
	c.commitUpload(a, an, made, bps, o, p)
}

// uploadedFile reads the file parameter (readSource); of a chunked upload
// (X-Unique-Upload-Id), it adds the chunk and returns the whole file once
// its last chunk is in, nil before. filename_override renames it.
func (c *call) uploadedFile(p *api.Params, o *uploadOptions) (*upfile, error) {
	src, err := c.s.readSource(c.ctx(), p)
	if err != nil {
		return nil, err
	}
	if src.Size() == 0 {
		src.close()
		return nil, api.BadRequest("Empty file")
	}
	if id := c.r.Header.Get("X-Unique-Upload-Id"); id != "" {
		whole, err := c.addChunk(id, src)
		src.close()
		if whole == nil || err != nil {
			return nil, err
		}
		src = whole
	}
	if o.filenameOverride != "" {
		src.Name = o.filenameOverride
	}
	return src, nil
}

// addChunk adds src, one chunk of the chunked upload id, and returns the
// whole file, named as src, once its last chunk is in (nil before).
func (c *call) addChunk(id string, src *upfile) (*upfile, error) {
	whole, err := c.s.storeChunk(c.ctx(), c.cloud, id, c.r.Header.Get("Content-Range"), src,
		int64(c.s.cfg.MaxUploadSize))
	if whole != nil {
		whole.Name = src.Name
	}
	return whole, err
}

// incoming refuses eager transformations of what is not an image and
// applies the incoming transformation and format conversion asked for
// (upload_incoming.go): src, or the file made from it, with its kind.
func (c *call) incoming(src *upfile, kind fileKind, o *uploadOptions) (*upfile, fileKind, error) {
	if len(o.eager) > 0 && kind.rt != delivery.Image { // eager_async's too
		return src, kind, eagerNotForKind(kind.rt)
	}
	if len(o.breakpoints) > 0 && kind.rt != delivery.Image {
		return src, kind, api.BadRequest("Parameter responsive_breakpoints is not supported by this server for %s files", kind.rt)
	}
	plan, err := planIncoming(o, kind)
	if err != nil {
		return src, kind, err
	}
	plan.tags, plan.context = o.tags, o.context
	return c.applyIncoming(src, kind, plan)
}

// storeNew writes the blob from r, its md5 taken on the way, and builds
// the asset row (not yet committed).
func (c *call) storeNew(r io.Reader, kind fileKind, id, original string, o *uploadOptions) (*meta.Asset, error) {
	key, size, sum, err := c.s.writeBlobFrom(r)
	if err != nil {
		return nil, delivery.Internal(err)
	}
	now := c.s.now().UTC()
	display := o.displayName
	if display == "" {
		display = id[strings.LastIndexByte(id, '/')+1:]
	}
	return &meta.Asset{
		Key:     meta.Key{Cloud: c.cloud, ResourceType: kind.rt, Type: o.typ, PublicID: id},
		AssetID: meta.RandomHex(16), VersionID: meta.RandomHex(16), Format: kind.format,
		Bytes: size, Width: kind.width, Height: kind.height, Pages: kind.pages,
		ETag: hex.EncodeToString(sum), Blob: key, CreatedAt: now, UpdatedAt: now,
		Tags: o.tags, Context: o.context, OriginalFilename: original, AssetFolder: c.assetFolderOf(id, o.assetFolder),
		DisplayName: display, Eager: o.eager, ModerationKind: moderationKind(o), ModerationStatus: moderationStatus(o),
		AccessMode: o.accessMode,
		Backup:     o.backup, Coordinates: o.coords, AccessControl: o.accessControl,
	}, nil
}

func moderationKind(o *uploadOptions) string { return o.moderation }

func moderationStatus(o *uploadOptions) string {
	if o.moderation != "" {
		return "pending"
	}
	return ""
}

// commitUpload records the asset (with an, made and bps, the analysis,
// the eager images and the responsive breakpoints the call asked for, made
// beforehand), cleans up, emits the event and answers.
func (c *call) commitUpload(a *meta.Asset, an *analysis, made []madeEager, bps []madeBreakpoints, o *uploadOptions, p *api.Params) {
	ctx, err := c.withWebhook(p, notifyUpload, c.uploadBody) // its notification_url, in Put's transaction
	if err != nil {
		c.s.deleteBlobs(a.Blob)
		c.fail(err)
		return
	}
	ctx, batch := c.withEagerJob(ctx, p, o) // eager_async's job, in Put's transaction
	ctx = withUniqueDisplayName(ctx, o.uniqueDisplayName)
	res, err := c.s.meta.Put(ctx, a, o.overwrite)
	if errors.Is(err, meta.ErrExists) {
		c.s.deleteBlobs(a.Blob)
		j := c.assetResponse(res.Prev)
		j.Existing = true
		if j.analysisJSON, err = c.analysisFor(res.Prev, o.analyse); err != nil {
			c.fail(err)
			return
		}
		c.ok(j)
		return
	}
	if err != nil {
		c.s.deleteBlobs(a.Blob)
		c.fail(delivery.AsError(c.jobQueueFull(err)))
		return
	}
	c.s.deleteBlobs(res.Orphans...)
	c.s.webhooks.wake()
	c.s.jobs.wake()
	ev := Event{Kind: EventCreated, Asset: a.Key, NewVersion: a.Version, Invalidate: o.invalidate, Time: a.UpdatedAt}
	if res.Prev != nil {
		ev.Kind, ev.OldVersion = EventOverwritten, res.Prev.Version
		ev.Restricted = o.changesAccess()
	}
	inv, err := c.s.events.Emit(c.ctx(), ev)
	if err != nil {
		c.fail(delivery.Errorf(http.StatusServiceUnavailable,
			"The asset was saved but its invalidation could not be published - retry the request"))
		return
	}
	j := c.assetResponse(a)
	j.Overwritten = res.Prev != nil
	j.Invalidation = c.report(p, inv)
	j.Eager = c.eagerAnswer(a, c.recordEager(a, made))
	if batch != "" {
		j.Eager = c.eagerAsyncAnswer(a, o.eager, batch)
	}
	j.ResponsiveBreakpoints = c.recordBreakpoints(a, bps)
	flags, given := o.analyse.givenFaces(a.Coordinates.Faces)
	if an != nil {
		j.analysisJSON = an.answer(flags)
	} else {
		c.s.analyser.add(a)
	}
	if given != nil {
		j.Faces = given
	}
	if o.returnDeleteToken {
		token := meta.RandomHex(20)
		exp := a.UpdatedAt.Add(deleteTokenTTL * 1e9)
		if err := c.s.meta.SaveDeleteToken(c.ctx(), token, a.Key, exp); err != nil {
			c.fail(delivery.Internal(err))
			return
		}
		j.DeleteToken = token
	}
	c.ok(j)
}
