package delivery

import (
	"errors"
	"strings"
	"testing"
)

// urlCase is what Parse must make of a URL. Empty fields are checked too:
// a case states the whole result.
type urlCase struct {
	uri     string
	host    string // cloud for ParseHost
	cloud   string
	form    Form
	rt      ResourceType
	typ     DeliveryType
	sig     string
	tx      string
	version uint64
	hasV    bool
	raw     string // RawPublicID
	id      string
	suffix  string
	ext     string
	format  Format
}

// Every delivery URL form of Cloudinary's URL grammar and transformation
// reference (docs/compatibility.md), and the forms the SDKs build.
var urlCases = []urlCase{
	// compat §1: the grammar, versions and force_version.
	{uri: "/demo/image/upload/sample.jpg", cloud: "demo", rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/folder/sample.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "folder/sample", id: "folder/sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/folder/sample.jpg", cloud: "demo", rt: Image, typ: Upload, raw: "folder/sample", id: "folder/sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v2folder/x.jpg", cloud: "demo", rt: Image, typ: Upload, raw: "v2folder/x", id: "v2folder/x", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/c_fill,w_100/v1/folder/pic.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "c_fill,w_100", version: 1, hasV: true, raw: "folder/pic", id: "folder/pic", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/s--KEp_G-AP--/c_fill,w_100/v1/folder/pic.jpg", cloud: "demo", rt: Image, typ: Upload, sig: "KEp_G-AP", tx: "c_fill,w_100", version: 1, hasV: true, raw: "folder/pic", id: "folder/pic", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", cloud: "demo", rt: Image, typ: Upload, sig: "__qjBcC6", tx: "c_scale,w_100", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/s--uPEN0EnT--/c_scale,w_100/v17/folder/sample.jpg", cloud: "demo", rt: Image, typ: Upload, sig: "uPEN0EnT", tx: "c_scale,w_100", version: 17, hasV: true, raw: "folder/sample", id: "folder/sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/s--9-reiBi3nl2ItSk4wfNx-HJT5N11i8SY--/w_100/sample.jpg", cloud: "demo", rt: Image, typ: Upload, sig: "9-reiBi3nl2ItSk4wfNx-HJT5N11i8SY", tx: "w_100", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/sample", cloud: "demo", rt: Image, typ: Upload, raw: "sample", id: "sample"},
	// Analytics and other query parameters are ignored.
	{uri: "/demo/image/upload/sample.jpg?_a=BAMAROfk0", cloud: "demo", rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/folder/pic.jpg?_a=AQC1Sop&x=1", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "folder/pic", id: "folder/pic", ext: "jpg", format: JPG},
	// Escaping as both SDK families produce it: Go and Node give a%20b/c%2Bd.
	{uri: "/demo/image/upload/v1/a%20b/c%2Bd.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "a%20b/c%2Bd", id: "a b/c+d", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/a(1)!*'.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "a(1)!*'", id: "a(1)!*'", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/a%281%29%21%2A%27.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "a%281%29%21%2A%27", id: "a(1)!*'", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/%E6%97%A5%E6%9C%AC.png", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "%E6%97%A5%E6%9C%AC", id: "日本", ext: "png", format: PNG},
	{uri: "/demo/image/upload/my.photo.JPG", cloud: "demo", rt: Image, typ: Upload, raw: "my.photo", id: "my.photo", ext: "JPG", format: JPG},
	// Raw: the extension is part of the public ID.
	{uri: "/demo/raw/upload/docs/report.pdf", cloud: "demo", rt: Raw, typ: Upload, raw: "docs/report", id: "docs/report.pdf", ext: "pdf"},
	{uri: "/demo/raw/upload/v1/rwkaliebnufp3bxyrvyo.txt", cloud: "demo", rt: Raw, typ: Upload, version: 1, hasV: true, raw: "rwkaliebnufp3bxyrvyo", id: "rwkaliebnufp3bxyrvyo.txt", ext: "txt"},
	{uri: "/demo/raw/upload/archive.tar.gz", cloud: "demo", rt: Raw, typ: Upload, raw: "archive.tar", id: "archive.tar.gz", ext: "gz"},
	{uri: "/demo/raw/upload/noext", cloud: "demo", rt: Raw, typ: Upload, raw: "noext", id: "noext"},
	{uri: "/demo/video/upload/c_scale,w_300/v5/dog.mp4", cloud: "demo", rt: Video, typ: Upload, tx: "c_scale,w_300", version: 5, hasV: true, raw: "dog", id: "dog", ext: "mp4", format: MP4},
	// Animation: frame ranges and lists, delay, loop, flags.
	{uri: "/demo/image/upload/fl_animated.awebp,pg_2-4,w_240/dl_200,e_loop:2/pg_3-/pg_2;4/anim.gif", cloud: "demo", rt: Image, typ: Upload, tx: "fl_animated.awebp,pg_2-4,w_240/dl_200,e_loop:2/pg_3-/pg_2;4", raw: "anim", id: "anim", ext: "gif", format: GIF},
	// Every delivery type.
	{uri: "/demo/image/private/v3/secret.png", cloud: "demo", rt: Image, typ: Private, version: 3, hasV: true, raw: "secret", id: "secret", ext: "png", format: PNG},
	{uri: "/demo/image/authenticated/s--AbCdEfGh--/v3/secret.png", cloud: "demo", rt: Image, typ: Authenticated, sig: "AbCdEfGh", version: 3, hasV: true, raw: "secret", id: "secret", ext: "png", format: PNG},
	{uri: "/demo/image/list/logo.json", cloud: "demo", rt: Image, typ: List, raw: "logo", id: "logo", ext: "json", format: JSON},
	{uri: "/demo/image/sprite/logo.css", cloud: "demo", rt: Image, typ: Sprite, raw: "logo", id: "logo", ext: "css", format: CSS},
	{uri: "/demo/image/text/hello.png", cloud: "demo", rt: Image, typ: Text, raw: "hello", id: "hello", ext: "png", format: PNG},
	{uri: "/demo/image/multi/dl_100/tag.gif", cloud: "demo", rt: Image, typ: Multi, tx: "dl_100", raw: "tag", id: "tag", ext: "gif", format: GIF},
	{uri: "/demo/image/facebook/zuck.jpg", cloud: "demo", rt: Image, typ: Facebook, raw: "zuck", id: "zuck", ext: "jpg", format: JPG},
	{uri: "/demo/image/twitter/123.jpg", cloud: "demo", rt: Image, typ: Twitter, raw: "123", id: "123", ext: "jpg", format: JPG},
	{uri: "/demo/image/twitter_name/cloudinary.jpg", cloud: "demo", rt: Image, typ: TwitterName, raw: "cloudinary", id: "cloudinary", ext: "jpg", format: JPG},
	{uri: "/demo/image/gravatar/e3264cf16f34ecd3c7c564f5668cbc1e.jpg", cloud: "demo", rt: Image, typ: Gravatar, raw: "e3264cf16f34ecd3c7c564f5668cbc1e", id: "e3264cf16f34ecd3c7c564f5668cbc1e", ext: "jpg", format: JPG},
	{uri: "/demo/image/youtube/dQw4w9WgXcQ.jpg", cloud: "demo", rt: Image, typ: Youtube, raw: "dQw4w9WgXcQ", id: "dQw4w9WgXcQ", ext: "jpg", format: JPG},
	{uri: "/demo/image/hulu/1.jpg", cloud: "demo", rt: Image, typ: Hulu, raw: "1", id: "1", ext: "jpg", format: JPG},
	{uri: "/demo/image/vimeo/1.jpg", cloud: "demo", rt: Image, typ: Vimeo, raw: "1", id: "1", ext: "jpg", format: JPG},
	{uri: "/demo/image/animoto/1.jpg", cloud: "demo", rt: Image, typ: Animoto, raw: "1", id: "1", ext: "jpg", format: JPG},
	{uri: "/demo/image/worldstarhiphop/1.jpg", cloud: "demo", rt: Image, typ: Worldstarhiphop, raw: "1", id: "1", ext: "jpg", format: JPG},
	{uri: "/demo/image/dailymotion/x1.jpg", cloud: "demo", rt: Image, typ: Dailymotion, raw: "x1", id: "x1", ext: "jpg", format: JPG},
	// fetch: the public ID is the remote URL, escaped, kept whole.
	{uri: "/demo/image/fetch/w_100/http://example.com/a%20b.jpg", cloud: "demo", rt: Image, typ: Fetch, tx: "w_100", raw: "http://example.com/a%20b.jpg", id: "http://example.com/a b.jpg"},
	{uri: "/demo/image/fetch/http://a.com/x%20y.jpg%3Fz%3D1", cloud: "demo", rt: Image, typ: Fetch, raw: "http://a.com/x%20y.jpg%3Fz%3D1", id: "http://a.com/x y.jpg?z=1"},
	{uri: "/demo/image/fetch/f_png/https://upload.wikimedia.org/wikipedia/commons/a.jpg", cloud: "demo", rt: Image, typ: Fetch, tx: "f_png", raw: "https://upload.wikimedia.org/wikipedia/commons/a.jpg", id: "https://upload.wikimedia.org/wikipedia/commons/a.jpg"},
	// SEO suffix forms: the suffix sits between the ID and the extension.
	{uri: "/demo/images/v1/folder/sample/hello.jpg", cloud: "demo", form: FormSEO, rt: Image, typ: Upload, version: 1, hasV: true, raw: "folder/sample", id: "folder/sample", suffix: "hello", ext: "jpg", format: JPG},
	{uri: "/demo/images/c_fill,w_100/sample/hello.webp", cloud: "demo", form: FormSEO, rt: Image, typ: Upload, tx: "c_fill,w_100", raw: "sample", id: "sample", suffix: "hello", ext: "webp", format: WebP},
	{uri: "/demo/private_images/v2/secret/my-photo.png", cloud: "demo", form: FormSEO, rt: Image, typ: Private, version: 2, hasV: true, raw: "secret", id: "secret", suffix: "my-photo", ext: "png", format: PNG},
	{uri: "/demo/authenticated_images/s--AbCdEfGh--/secret/photo.png", cloud: "demo", form: FormSEO, rt: Image, typ: Authenticated, sig: "AbCdEfGh", raw: "secret", id: "secret", suffix: "photo", ext: "png", format: PNG},
	{uri: "/demo/videos/dog/running.mp4", cloud: "demo", form: FormSEO, rt: Video, typ: Upload, raw: "dog", id: "dog", suffix: "running", ext: "mp4", format: MP4},
	{uri: "/demo/files/v1/docs/report/annual.pdf", cloud: "demo", form: FormSEO, rt: Raw, typ: Upload, version: 1, hasV: true, raw: "docs/report", id: "docs/report.pdf", suffix: "annual", ext: "pdf"},
	{uri: "/demo/images/sample.jpg", cloud: "demo", form: FormSEO, rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	// shorten and use_root_path (image/upload only).
	{uri: "/demo/iu/sample.jpg", cloud: "demo", form: FormShort, rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/iu/w_100/v1/folder/sample.jpg", cloud: "demo", form: FormShort, rt: Image, typ: Upload, tx: "w_100", version: 1, hasV: true, raw: "folder/sample", id: "folder/sample", ext: "jpg", format: JPG},
	{uri: "/demo/sample.jpg", cloud: "demo", form: FormRoot, rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/w_100/v1/folder/sample.jpg", cloud: "demo", form: FormRoot, rt: Image, typ: Upload, tx: "w_100", version: 1, hasV: true, raw: "folder/sample", id: "folder/sample", ext: "jpg", format: JPG},
	// Private CDN host form: no cloud segment.
	{uri: "/image/upload/sample.jpg", host: "demo", cloud: "demo", rt: Image, typ: Upload, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/images/v1/folder/sample/hello.jpg", host: "demo", cloud: "demo", form: FormSEO, rt: Image, typ: Upload, version: 1, hasV: true, raw: "folder/sample", id: "folder/sample", suffix: "hello", ext: "jpg", format: JPG},
	// compat §2: transformation strings as the SDKs emit them.
	{uri: "/demo/image/upload/c_fill,f_auto,g_face,h_150,q_auto,w_100/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "c_fill,f_auto,g_face,h_150,q_auto,w_100", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/if_w_gt_100,$foo_10,w_50/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "if_w_gt_100,$foo_10,w_50", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/c_pad,w_100,h_100/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "c_pad,w_100,h_100", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/a_90.hflip/fl_progressive.lossy/t_a.b/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "a_90.hflip/fl_progressive.lossy/t_a.b", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/bo_4px_solid_rgb:000,b_rgb:ff0000/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "bo_4px_solid_rgb:000,b_rgb:ff0000", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/l_folder:logo/c_scale,w_100/fl_layer_apply,g_north_west,x_10,y_10/f_auto/q_auto/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "l_folder:logo/c_scale,w_100/fl_layer_apply,g_north_west,x_10,y_10/f_auto/q_auto", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/co_yellow,l_text:Arial_40:Hello%20World/fl_layer_apply,g_south/f_auto/q_auto/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "co_yellow,l_text:Arial_40:Hello%20World/fl_layer_apply,g_south/f_auto/q_auto", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/e_pixelate_region:12,h_40,w_60,x_10,y_20/e_auto_brightness:70/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "e_pixelate_region:12,h_40,w_60,x_10,y_20/e_auto_brightness:70", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/co_red,e_outline:outer:10:200/e_replace_color:blue:30:red/e_gradient_fade:symmetric,y_100/e_trim:10:white/sample.png", cloud: "demo", rt: Image, typ: Upload, tx: "co_red,e_outline:outer:10:200/e_replace_color:blue:30:red/e_gradient_fade:symmetric,y_100/e_trim:10:white", raw: "sample", id: "sample", ext: "png", format: PNG},
	{uri: "/demo/image/upload/e_background_removal/f_png/q_auto/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "e_background_removal/f_png/q_auto", raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/c_fill,g_auto,h_300,w_400/f_auto/q_auto/sample", cloud: "demo", rt: Image, typ: Upload, tx: "c_fill,g_auto,h_300,w_400/f_auto/q_auto", raw: "sample", id: "sample"},
	// Seed 004: Admin API reference URLs.
	{uri: "/demo/image/upload/v1312461204/sample.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1312461204, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/c_fill,w_100,h_100/v1312461204/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "c_fill,w_100,h_100", version: 1312461204, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/w_230,h_168,c_fit/v1312461204/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "w_230,h_168,c_fit", version: 1312461204, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/w_150,h_100,c_fill/v1341141057/sample.jpg", cloud: "demo", rt: Image, typ: Upload, tx: "w_150,h_100,c_fill", version: 1341141057, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1333013579/face_center.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1333013579, hasV: true, raw: "face_center", id: "face_center", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1393794399/zp4fgdbabhlwwa7bxu84.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1393794399, hasV: true, raw: "zp4fgdbabhlwwa7bxu84", id: "zp4fgdbabhlwwa7bxu84", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1393794403/q7vcvrfjm9mj4bfp3qc8.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1393794403, hasV: true, raw: "q7vcvrfjm9mj4bfp3qc8", id: "q7vcvrfjm9mj4bfp3qc8", ext: "jpg", format: JPG},
	// Seed 002: the legacy invalidation examples.
	{uri: "/demo/image/upload/v14858684/sample.jpg", cloud: "demo", rt: Image, typ: Upload, version: 14858684, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v1/path1/path2/sample.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "path1/path2/sample", id: "path1/path2/sample", ext: "jpg", format: JPG},
	// Seed 000: "/v1" or "/v1486331234" both return the latest image.
	{uri: "/demo/image/upload/v1486331234/sample.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1486331234, hasV: true, raw: "sample", id: "sample", ext: "jpg", format: JPG},
	// The last segment is always the public ID, even when shaped like a
	// transformation or a version.
	{uri: "/demo/image/upload/w_100.jpg", cloud: "demo", rt: Image, typ: Upload, raw: "w_100", id: "w_100", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/v123", cloud: "demo", rt: Image, typ: Upload, raw: "v123", id: "v123"},
	{uri: "/demo/image/upload/w_100/v123", cloud: "demo", rt: Image, typ: Upload, tx: "w_100", raw: "v123", id: "v123"},
	{uri: "/demo/image/upload/v1/v2/x.jpg", cloud: "demo", rt: Image, typ: Upload, version: 1, hasV: true, raw: "v2/x", id: "v2/x", ext: "jpg", format: JPG},
	{uri: "/demo/image/upload/sunday_photos/x.jpg", cloud: "demo", rt: Image, typ: Upload, raw: "sunday_photos/x", id: "sunday_photos/x", ext: "jpg", format: JPG},
}

func TestParseTable(t *testing.T) {
	t.Parallel()
	for _, c := range urlCases {
		var u URL
		var err error
		if c.host != "" {
			u, err = ParseHost(c.host, c.uri)
		} else {
			u, err = Parse(c.uri)
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.uri, err)
			continue
		}
		got := urlCase{uri: c.uri, host: c.host, cloud: u.Cloud, form: u.Form, rt: u.Resource, typ: u.Type,
			sig: u.Signature, tx: u.Transformation, version: u.Version, hasV: u.HasVersion,
			raw: u.RawPublicID, id: u.PublicID, suffix: u.Suffix, ext: u.Ext, format: u.Format}
		if got != c {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", c.uri, got, c)
		}
		if u.HostForm != (c.host != "") {
			t.Errorf("Parse(%q): HostForm = %v", c.uri, u.HostForm)
		}
		if want := c.uri; strings.IndexByte(want, '?') >= 0 {
			if u.Path != want[:strings.IndexByte(want, '?')] {
				t.Errorf("Parse(%q): Path = %q", c.uri, u.Path)
			}
		} else if u.Path != want {
			t.Errorf("Parse(%q): Path = %q", c.uri, u.Path)
		}
	}
}

// errorCases are malformed URLs, with the status and the message.
var errorCases = []struct {
	uri    string
	status int
	msg    string
}{
	{"/demo/image/upload/w_abc/sample.jpg", 400, "Invalid width in transformation: abc"},
	{"/demo/image/upload/h_-5/sample.jpg", 400, "Invalid height in transformation: -5"},
	{"/demo/image/upload/w_0/sample.jpg", 400, "Invalid width in transformation: 0"},
	{"/demo/image/upload/w_1e3/sample.jpg", 400, "Invalid width in transformation: 1e3"},
	{"/demo/image/upload/w_NaN/sample.jpg", 400, "Invalid width in transformation: NaN"},
	{"/demo/image/upload/c_squash/sample.jpg", 400, "Invalid crop mode in transformation: squash"},
	{"/demo/image/upload/g_up/sample.jpg", 400, "Invalid gravity in transformation: up"},
	{"/demo/image/upload/q_101/sample.jpg", 400, "Invalid quality in transformation: 101"},
	{"/demo/image/upload/q_auto:great/sample.jpg", 400, "Invalid quality in transformation: auto:great"},
	{"/demo/image/upload/f_jpgsz280/sample.jpg", 400, "Invalid extension in transformation: jpgsz280"},
	{"/demo/image/upload/sample.jpgsz280", 400, "Invalid extension in transformation: jpgsz280"},
	{"/demo/image/upload/sample.", 400, "Invalid extension in transformation: "},
	{"/demo/image/upload/dpr_0/sample.jpg", 400, "Invalid dpr in transformation: 0"},
	{"/demo/image/upload/e_explode/sample.jpg", 400, "Invalid effect in transformation: explode"},
	{"/demo/image/upload/e_blur:0/sample.jpg", 400, "Invalid effect in transformation: blur:0"},
	{"/demo/image/upload/e_blur:2001/sample.jpg", 400, "Invalid effect in transformation: blur:2001"},
	{"/demo/image/upload/r_1:2:3:4:5/sample.jpg", 400, "Invalid radius in transformation: 1:2:3:4:5"},
	{"/demo/image/upload/a_sideways/sample.jpg", 400, "Invalid angle in transformation: sideways"},
	{"/demo/image/upload/b_rgb:12345/sample.jpg", 400, "Invalid background in transformation: rgb:12345"},
	{"/demo/image/upload/b_notacolour/sample.jpg", 400, "Invalid background in transformation: notacolour"},
	{"/demo/image/upload/bo_4px_dotted_black/sample.jpg", 400, "Invalid border in transformation: 4px_dotted_black"},
	{"/demo/image/upload/o_101/sample.jpg", 400, "Invalid opacity in transformation: 101"},
	{"/demo/image/upload/x_ten/sample.jpg", 400, "Invalid x in transformation: ten"},
	{"/demo/image/upload/z_0/sample.jpg", 400, "Invalid zoom in transformation: 0"},
	{"/demo/image/upload/fl_fast/sample.jpg", 400, "Invalid flag in transformation: fast"},
	{"/demo/image/upload/t_/sample.jpg", 400, "Invalid named transformation in transformation: "},
	{"/demo/image/upload/t_a..b/sample.jpg", 400, "Invalid named transformation in transformation: a..b"},
	{"/demo/image/upload/pg_x/sample.jpg", 400, "Invalid page in transformation: x"},
	{"/demo/image/upload/pg_0/sample.jpg", 400, "Invalid page in transformation: 0"},
	{"/demo/image/upload/pg_2-0/sample.jpg", 400, "Invalid page in transformation: 2-0"},
	{"/demo/image/upload/e_grayscale:50/sample.jpg", 400, "Invalid effect in transformation: grayscale:50"},
	{"/demo/image/upload/e_brightness:-100/sample.jpg", 400, "Invalid effect in transformation: brightness:-100"},
	{"/demo/image/upload/e_auto_contrast:101/sample.jpg", 400, "Invalid effect in transformation: auto_contrast:101"},
	{"/demo/image/upload/e_pixelate_region:0/sample.jpg", 400, "Invalid effect in transformation: pixelate_region:0"},
	{"/demo/image/upload/e_blur_faces:2001/sample.jpg", 400, "Invalid effect in transformation: blur_faces:2001"},
	{"/demo/image/upload/e_pixelate_faces:abc/sample.jpg", 400, "Invalid effect in transformation: pixelate_faces:abc"},
	{"/demo/image/upload/fl_progressive:fast/sample.jpg", 400, "Invalid flag in transformation: progressive:fast"},
	{"/demo/image/upload/ar_0/sample.jpg", 400, "Invalid aspect ratio in transformation: 0"},
	{"/demo/image/upload/ab_cd/sample.jpg", 400, "Invalid transformation component - ab_cd"},
	{"/demo/image/upload/w_100,my_folder/sample.jpg", 400, "Invalid transformation component - my_folder"},
	{"/demo/image/upload/my_folder/sample.jpg", 400, "Invalid transformation component - my_folder"},
	{"/demo/image/upload/s--short--/sample.jpg", 400, "Invalid URL signature - s--short--"},
	{"/demo/image/upload/v123456789012345678901/sample.jpg", 400, "Invalid version - v123456789012345678901"},
	{"/demo/image/nosuchtype/sample.jpg", 400, "Invalid delivery type - nosuchtype"},
	{"/demo/image/upload/", 400, "Missing public ID"},
	{"/demo/image/upload", 400, "Missing public ID"},
	{"/demo/image/upload/w_iw_div/sample.jpg", 400, "Invalid expression iw_div"},
	{"/demo/image/upload/w_100_add_x/sample.jpg", 400, "Invalid expression 100_add_x"},
	{"/demo/image/upload/if_end/sample.jpg", 400, "if_end without a condition before it"},
	{"/demo/image/upload/if_w_gt_1/if_h_gt_1/w_1/if_end/sample.jpg", 400, "Nested conditions are not supported: if_h_gt_1"},
	{"/demo", 400, "Missing public ID"},
	{"/", 400, "Invalid URL - /"},
	{"", 400, "Invalid URL - "},
	{"sample.jpg", 400, "Invalid URL - sample.jpg"},
	{"/de.mo/image/upload/sample.jpg", 400, "Invalid cloud name - de.mo"},
	{"//image/upload/sample.jpg", 400, "Invalid cloud name - "},
	{"/demo/image/upload/a//b.jpg", 400, "Invalid public ID - a//b"},
	{"/demo/image/upload/v1/../etc/passwd", 400, "Invalid public ID - ../etc/passwd"},
	{"/demo/image/upload/v1/a/./b.jpg", 400, "Invalid public ID - a/./b"},
	{"/demo/image/upload/a%zzb.jpg", 400, "Invalid public ID - a%zzb"},
	{"/demo/image/upload/a%0Ab.jpg", 400, "Invalid public ID - a%0Ab"},
	{"/demo/image/upload/a%2", 400, "Invalid public ID - a%2"},
	{"/demo/image/upload/a\x01b.jpg", 400, "Invalid public ID - a%01b"},
	{"/demo/images/v1/folder/.jpg", 400, "Invalid URL suffix - .jpg"},
	{"/demo/files/v1/docs/report/annual.", 400, "Invalid extension in transformation: "},
	{"/demo/image/upload/v1/" + strings.Repeat("a", 256) + ".jpg", 400, "Invalid public ID - " + strings.Repeat("a", 120) + "..."},
	{"/demo/image/upload/" + strings.Repeat("a", DefaultMaxLength), 414, "URL too long"},
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, c := range errorCases {
		_, err := Parse(c.uri)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error %q", c.uri, err, c.msg)
			continue
		}
		if e.Status != c.status || e.Message != c.msg {
			t.Errorf("Parse(%q) = %d %q, want %d %q", c.uri, e.Status, e.Message, c.status, c.msg)
		}
	}
}

func TestParserMaxLength(t *testing.T) {
	t.Parallel()
	p := Parser{MaxLength: 32}
	if _, err := p.Parse("/demo/image/upload/sample.jpg"); err != nil {
		t.Fatalf("short URL: %v", err)
	}
	_, err := p.Parse("/demo/image/upload/a-rather-longer-public-id.jpg")
	var e *Error
	if !errors.As(err, &e) || e.Status != 414 {
		t.Fatalf("long URL: %v, want 414", err)
	}
}

func TestParseHostRejectsBadCloud(t *testing.T) {
	t.Parallel()
	if _, err := ParseHost("bad/cloud", "/image/upload/x.jpg"); err == nil {
		t.Fatal("ParseHost accepted a cloud with a slash")
	}
}

func TestFeatures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri                                      string
		autoF, autoQ, named, negotiated, autoDPR bool
	}{
		{"/demo/image/upload/sample.jpg", false, false, false, false, false},
		{"/demo/image/upload/f_auto/sample", true, false, false, true, false},
		{"/demo/image/upload/c_fill,w_10/q_auto:eco/sample", false, true, false, true, false},
		{"/demo/image/upload/t_thumb,dpr_auto/sample", false, false, true, false, true},
		{"/demo/image/upload/f_png,q_80/sample", false, false, false, false, false},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		if u.AutoFormat() != c.autoF || u.AutoQuality() != c.autoQ || u.UsesNamed() != c.named ||
			u.Negotiated() != c.negotiated || u.AutoDPR() != c.autoDPR {
			t.Errorf("%s: features f=%v q=%v t=%v neg=%v dpr=%v", c.uri, u.AutoFormat(), u.AutoQuality(),
				u.UsesNamed(), u.Negotiated(), u.AutoDPR())
		}
	}
}

func TestClass(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri  string
		want Class
	}{
		{"/demo/image/upload/sample.jpg", Class{Version: NoVersion}},
		{"/demo/image/upload/v1/folder/sample.jpg", Class{Version: VersionOne}},
		{"/demo/image/upload/v1312461204/sample.jpg", Class{Version: OtherVersion}},
		{"/demo/image/upload/s--__qjBcC6--/c_scale,w_100/sample.jpg", Class{Version: NoVersion, Signed: true, Derived: true}},
		{"/demo/images/w_100/v1/a/b.jpg", Class{Version: VersionOne, Derived: true}},
		{"/demo/image/upload/v0/sample.jpg", Class{Version: OtherVersion}},
	} {
		u, err := Parse(c.uri)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Class(); got != c.want {
			t.Errorf("%s: Class() = %+v, want %+v", c.uri, got, c.want)
		}
	}
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	avif := Variant{Negotiated: true, Format: AVIF}
	webp := Variant{Negotiated: true, Format: WebP}
	for _, c := range []struct {
		uri, host string
		variant   Variant
		want      string
	}{
		{"/demo/image/upload/sample.jpg?_a=BAMAROfk0", "", Variant{}, "/demo/image/upload/sample.jpg"},
		{"/demo/image/upload/sample.jpg?_a=AQC1Sop&utm=1", "", webp, "/demo/image/upload/sample.jpg"},
		{"/demo/image/upload/f_auto/sample?_a=x", "", avif, "/demo/image/upload/f_auto/sample#avif"},
		{"/demo/image/upload/q_auto/sample", "", webp, "/demo/image/upload/q_auto/sample#webp"},
		{"/demo/image/upload/q_auto/sample", "", Variant{Negotiated: true}, "/demo/image/upload/q_auto/sample#std"},
		{"/demo/image/upload/q_auto/sample", "", Variant{}, "/demo/image/upload/q_auto/sample"},
		{"/image/upload/f_auto/sample.jpg", "demo", webp, "/demo/image/upload/f_auto/sample.jpg#webp"},
		// A private-CDN host URL that names its cloud: the same key.
		{"/demo/image/upload/f_auto/sample.jpg", "demo", webp, "/demo/image/upload/f_auto/sample.jpg#webp"},
		// dpr_auto is keyed on the DPR hint.
		{"/demo/image/upload/dpr_auto,w_100/sample.jpg", "", Variant{DPR: 2}, "/demo/image/upload/dpr_auto,w_100/sample.jpg#;dpr=2"},
		{"/demo/image/upload/dpr_auto/f_auto/sample", "", Variant{Negotiated: true, Format: AVIF, DPR: 1.5},
			"/demo/image/upload/dpr_auto/f_auto/sample#avif;dpr=1.5"},
	} {
		var u URL
		var err error
		if c.host != "" {
			u, err = ParseHost(c.host, c.uri)
		} else {
			u, err = Parse(c.uri)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := string(u.AppendCacheKey(nil, c.variant)); got != c.want {
			t.Errorf("%s: key %q, want %q", c.uri, got, c.want)
		}
		// The raw request's key, as an edge builds it before parsing.
		v := c.variant
		if !u.Varies() {
			v = Variant{}
		}
		if got := string(AppendVariantKey(AppendRequestKey(nil, c.host, c.uri), v)); got != c.want {
			t.Errorf("%s on %q: request key %q, want %q", c.uri, c.host, got, c.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		accept string
		want   Format
	}{
		{"", FormatNone},
		{"*/*", FormatNone},
		{"image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", AVIF},
		{"image/webp,*/*", WebP},
		{"Image/WebP ; q=0.5", WebP},
		{"image/avif;q=0, image/webp", WebP},
		{"image/avif;q=0.000,image/webp;q=0.0", FormatNone},
		{"image/png,image/jpeg", FormatNone},
		{"text/html, image/avif;q=0.1", AVIF},
	} {
		if got := Negotiate(c.accept); got != c.want {
			t.Errorf("Negotiate(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}
