package delivery

import "testing"

// On a private-CDN host, a path that names the host's cloud before a
// resource type, an SEO segment or iu/ is the path-form URL (an SDK set up
// with cname but not private_cdn); anything else keeps its host-form
// meaning.
func TestParseHostCloudPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		uri      string
		hostForm bool
		id, tx   string
		form     Form
	}{
		{"/demo/image/upload/w_50/v1/folder/pic.jpg?_a=x", false, "folder/pic", "w_50", FormStandard},
		{"/demo/raw/upload/doc.txt", false, "doc.txt", "", FormStandard},
		{"/demo/images/v1/folder/pic/seo.jpg", false, "folder/pic", "", FormSEO},
		{"/demo/iu/pic.jpg", false, "pic", "", FormShort},
		{"/image/upload/w_50/v1/folder/pic.jpg", true, "folder/pic", "w_50", FormStandard},
		// Root form on the host: the public ID starts with the folder.
		{"/demo/pic.jpg", true, "demo/pic", "", FormRoot},
		{"/demo/image.jpg", true, "demo/image", "", FormRoot},
		// Another cloud's name is a folder.
		{"/other/image/upload/pic.jpg", true, "other/image/upload/pic", "", FormRoot},
		{"/demox/image/upload/pic.jpg", true, "demox/image/upload/pic", "", FormRoot},
	} {
		u, err := ParseHost("demo", c.uri)
		if err != nil {
			t.Errorf("ParseHost(%q): %v", c.uri, err)
			continue
		}
		if u.Cloud != "demo" || u.HostForm != c.hostForm || u.PublicID != c.id || u.Transformation != c.tx || u.Form != c.form {
			t.Errorf("ParseHost(%q): cloud %q host form %v id %q tx %q form %v", c.uri, u.Cloud, u.HostForm, u.PublicID,
				u.Transformation, u.Form)
		}
	}
	for _, uri := range []string{"/demo", "/demo/", "/demo/image", "/demo/image/"} {
		if CloudPrefixed("demo", uri) {
			t.Errorf("CloudPrefixed(%q)", uri)
		}
	}
}
