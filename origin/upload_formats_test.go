package origin_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// sdkLargeBMP is the file of cloudinary-go's TestUploader_UploadLargeFile
// (api/uploader/upload_asset_test.go): a 1400x1400 24-bit BMP with a
// BITMAPV5HEADER, white, 5,880,138 bytes.
func sdkLargeBMP() []byte {
	head := "BMJ\xB9Y\x00\x00\x00\x00\x00\x8A\x00\x00\x00|\x00\x00\x00x\x05\x00\x00x\x05\x00\x00\x01\x00\x18\x00" +
		"\x00\x00\x00\x00\xC0\xB8Y\x00a\x0F\x00\x00a\x0F\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF" +
		"\x00\x00\xFF\x00\x00\xFF\x00\x00\x00\x00\x00\x00\xFFBGRs\x00\x00\x00\x00\x00\x00\x00\x00T\xB8\x1E" +
		"\xFC\x00\x00\x00\x00\x00\x00\x00\x00fff\xFC\x00\x00\x00\x00\x00\x00\x00\x00\xC4\xF5(\xFF\x00\x00\x00" +
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	return append([]byte(head), bytes.Repeat([]byte{0xff}, 5880138-len(head))...)
}

// gradientTIFF is a w × h baseline TIFF: uncompressed 8-bit RGB in one
// strip, a colour gradient.
func gradientTIFF(w, h int) []byte {
	le := binary.LittleEndian
	type entry struct{ tag, typ, count, value uint32 }
	const nEntries = 10
	ifd := 8
	bps := ifd + 2 + nEntries*12 + 4 // BitsPerSample's three values
	pixels := bps + 6
	entries := []entry{
		{256, 4, 1, uint32(w)}, {257, 4, 1, uint32(h)}, {258, 3, 3, uint32(bps)}, {259, 3, 1, 1},
		{262, 3, 1, 2}, {273, 4, 1, uint32(pixels)}, {277, 3, 1, 3}, {278, 4, 1, uint32(h)},
		{279, 4, 1, uint32(w * h * 3)}, {284, 3, 1, 1},
	}
	out := make([]byte, pixels+w*h*3)
	copy(out, "II*\x00")
	le.PutUint32(out[4:], uint32(ifd))
	le.PutUint16(out[ifd:], nEntries)
	for i, e := range entries {
		b := out[ifd+2+12*i:]
		le.PutUint16(b[0:], uint16(e.tag))
		le.PutUint16(b[2:], uint16(e.typ))
		le.PutUint32(b[4:], e.count)
		if e.typ == 3 && e.count == 1 {
			le.PutUint16(b[8:], uint16(e.value))
		} else {
			le.PutUint32(b[8:], e.value)
		}
	}
	for i := 0; i < 3; i++ {
		le.PutUint16(out[bps+2*i:], 8)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p := out[pixels+3*(y*w+x):]
			p[0], p[1], p[2] = byte(x*255/w), byte(y*255/h), 128
		}
	}
	return out
}

// writeTemp writes data to a file in a test's temporary folder.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// BMP, TIFF and HEIC uploads are images with Cloudinary's format names:
// probed, stored as they are, delivered as they are, and transformed.
func TestUploadBMPTIFFHEIC(t *testing.T) {
	o := startOrigin(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		name, format, contentType string
		data                      []byte
		w, h                      int
	}{
		{"white.bmp", "bmp", "image/bmp", sdkLargeBMP(), 1400, 1400},
		{"gradient.tif", "tiff", "image/tiff", gradientTIFF(120, 80), 120, 80},
		{"rocket.heic", "heic", "image/heic", testkit.Read(t, "rocket.heic"), 160, 107},
	} {
		id := "formats/" + c.format
		res, err := o.Cld.Upload.Upload(ctx, writeTemp(t, c.name, c.data), uploader.UploadParams{PublicID: id})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("%s: %s", c.name, msg)
		}
		if res.ResourceType != "image" || res.Format != c.format || res.Width != c.w || res.Height != c.h ||
			res.Bytes != len(c.data) || res.Etag != md5hex(c.data) {
			t.Errorf("%s: %+v", c.name, res)
		}
		orig := testkit.Get(t, o.URL+"/demo/image/upload/"+id+"."+c.format)
		if orig.Status != 200 || !bytes.Equal(orig.Body, c.data) || orig.Header.Get("Content-Type") != c.contentType {
			t.Errorf("%s: original %d %q, %d bytes", c.name, orig.Status, orig.Header.Get("Content-Type"), len(orig.Body))
		}
		small := testkit.Get(t, o.URL+"/demo/image/upload/w_40/"+id+".jpg")
		if info := probe(t, small.Body); small.Status != 200 || info.Format != delivery.JPG || info.Width != 40 {
			t.Errorf("%s: w_40 .jpg %d %+v", c.name, small.Status, info)
		}
		// Without an extension or f_, a format this server does not write
		// is delivered as JPEG (PNG with alpha), as Cloudinary does for
		// formats browsers do not show.
		if kept := testkit.Get(t, o.URL+"/demo/image/upload/w_40/"+id); kept.Status != 200 || probe(t, kept.Body).Width != 40 {
			t.Errorf("%s: w_40 without a format: %d", c.name, kept.Status)
		}
	}
}

// The Go SDK's own large-file test, against this server: its 1400x1400
// BMP uploaded from a path, an *os.File and an *io.SectionReader in
// chunks of 5,243,000 bytes (every chunk but the last at least 5 MB).
func TestGoSDKLargeFileInChunks(t *testing.T) {
	o := startOrigin(t, nil)
	o.Cld.Upload.Config.API.ChunkSize = 5243000
	data := sdkLargeBMP()
	path := writeTemp(t, "go_test_large_image.bmp", data)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, file := range []any{path, f, io.NewSectionReader(f, 0, int64(len(data)))} {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		id := "go_test_large_image_" + strconv.Itoa(i)
		res, err := o.Cld.Upload.Upload(context.Background(), file, uploader.UploadParams{PublicID: id, Overwrite: api.Bool(true)})
		if msg := sdkFailure(err, res); msg != "" {
			t.Fatalf("%T: %s", file, msg)
		}
		if res.PublicID != id || res.Width != 1400 || res.Height != 1400 || res.Format != "bmp" ||
			res.Bytes != len(data) || res.Etag != md5hex(data) {
			t.Fatalf("%T: %+v", file, res)
		}
	}
	if n := countBlobs(t, o); n != 3 {
		t.Fatalf("%d blobs after three chunked uploads", n)
	}
	// Chunks under 5 MB but the last are refused as Cloudinary refuses
	// them, and the Go SDK (which reads the last chunk's answer only)
	// sees the refusal: a refused chunk makes every later one of the same
	// upload answer the same.
	o.Cld.Upload.Config.API.ChunkSize = 1 << 20
	res, err := o.Cld.Upload.Upload(context.Background(), path, uploader.UploadParams{PublicID: "small_chunks"})
	if err != nil || res.Error.Message != "All parts except EOF-chunk must be larger than 5mb" {
		t.Fatalf("1 MB chunks: %+v %v", res, err)
	}
	if _, err := o.Store.Meta.Asset(context.Background(), meta.Key{Cloud: "demo", ResourceType: delivery.Image, Type: delivery.Upload, PublicID: "small_chunks"}); err == nil {
		t.Fatal("an upload in refused chunks was stored")
	}
}

// Chunks as the Node SDK sends them (bytes a-b/-1 until the last) and the
// rules on them, over plain HTTP. Each case is an upload of its own.
func TestChunkedUploadRanges(t *testing.T) {
	o := startOrigin(t, func(cfg *origin.Config) { cfg.MaxUploadSize = 16 << 20 })
	data := sdkLargeBMP()
	chunk := func(upload string, start, end int, total string) (int, string) {
		t.Helper()
		ct, body := form(t, [][2]string{{"public_id", upload}}, "big.bmp", data[start:end+1])
		return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true, "X-Unique-Upload-Id", upload,
			"Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(end)+"/"+total)
	}
	n := len(data)
	if status, resp := chunk("node", 0, 5<<20-1, "-1"); status != 200 || resp != `{"done":false}` {
		t.Fatalf("first chunk: %d %s", status, resp)
	}
	if status, resp := chunk("node", 5<<20, n-1, strconv.Itoa(n)); status != 200 || !strings.Contains(resp, `"bytes":`+strconv.Itoa(n)+`,`) {
		t.Fatalf("last chunk: %d %s", status, resp)
	}
	small := "All parts except EOF-chunk must be larger than 5mb"
	for _, c := range []struct {
		upload     string
		start, end int
		total, msg string
	}{
		{"small-first", 0, 1<<20 - 1, "-1", small},
		{"small-middle", 0, 1<<20 - 1, strconv.Itoa(n), small},
		{"past-the-limit", 0, 5<<20 - 1, strconv.Itoa(17 << 20), "File size too large. Got 17825792. Maximum is 16777216."},
		{"bad-range", 0, 5<<20 - 1, "x", "Invalid Content-Range header - bytes 0-5242879/x"},
	} {
		if status, resp := chunk(c.upload, c.start, c.end, c.total); status != 400 || errorMessage(t, resp) != c.msg {
			t.Errorf("%s: %d %s", c.upload, status, resp)
		}
	}
	// Once refused, an upload stays refused: its last chunk cannot
	// complete it with what was missed.
	for _, upload := range []string{"small-first", "small-middle"} {
		if status, resp := chunk(upload, 1<<20, n-1, strconv.Itoa(n)); status != 400 || errorMessage(t, resp) != small {
			t.Errorf("last chunk of %s: %d %s", upload, status, resp)
		}
	}
	// A first chunk refused for its own headers leaves nothing behind:
	// the upload can start again with good chunks.
	if inProgress, refused := o.Server.ChunkUploads("demo", "small-first", "small-middle", "past-the-limit", "bad-range"); inProgress != 0 || refused != 2 {
		t.Errorf("%d uploads in progress, %d refusals remembered; want 0 and the 2 small-chunk ones", inProgress, refused)
	}
	if status, resp := chunk("bad-range", 0, 5<<20-1, strconv.Itoa(n)); status != 200 || resp != `{"done":false}` {
		t.Errorf("good first chunk after a bad one: %d %s", status, resp)
	}
	if status, resp := chunk("bad-range", 5<<20, n-1, strconv.Itoa(n)); status != 200 || !strings.Contains(resp, `"bytes":`+strconv.Itoa(n)+`,`) {
		t.Errorf("its last chunk: %d %s", status, resp)
	}
	if count := countBlobs(t, o); count != 2 {
		t.Errorf("%d blobs, want the two complete uploads'", count)
	}
}

// At most so many chunked uploads are in progress at once: a new one past
// that is refused, leaving nothing behind, until one completes.
func TestChunkedUploadsBounded(t *testing.T) {
	o := startOrigin(t, nil)
	o.Server.LimitChunkUploads(2)
	data := sdkLargeBMP()
	n := len(data)
	chunk := func(upload string, start, end int) (int, string) {
		t.Helper()
		ct, body := form(t, [][2]string{{"public_id", upload}}, "big.bmp", data[start:end+1])
		return post(t, o.URL+"/v1_1/demo/image/upload", ct, body, true, "X-Unique-Upload-Id", upload,
			"Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(end)+"/"+strconv.Itoa(n))
	}
	for _, upload := range []string{"one", "two"} {
		if status, resp := chunk(upload, 0, 5<<20-1); status != 200 || resp != `{"done":false}` {
			t.Fatalf("%s: %d %s", upload, status, resp)
		}
	}
	if status, resp := chunk("three", 0, 5<<20-1); status != 420 ||
		errorMessage(t, resp) != "Rate Limit Exceeded. Limit of 2 chunked uploads in progress reached. Try again later" {
		t.Fatalf("a third upload: %d %s", status, resp)
	}
	if inProgress, refused := o.Server.ChunkUploads("demo", "three"); inProgress != 2 || refused != 0 {
		t.Fatalf("%d in progress, %d refusals after a refused third", inProgress, refused)
	}
	if status, resp := chunk("one", 5<<20, n-1); status != 200 || !strings.Contains(resp, `"public_id":"one"`) {
		t.Fatalf("one's last chunk: %d %s", status, resp)
	}
	if status, resp := chunk("three", 0, 5<<20-1); status != 200 || resp != `{"done":false}` {
		t.Fatalf("the third once one completed: %d %s", status, resp)
	}
}
