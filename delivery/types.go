package delivery

// ResourceType is the kind of asset: image, video or raw.
type ResourceType uint8

// Resource types. ResourceNone is the zero value and never the result of a
// successful parse.
const (
	ResourceNone ResourceType = iota
	Image
	Video
	Raw
)

var resourceNames = [...]string{ResourceNone: "", Image: "image", Video: "video", Raw: "raw"}

func (r ResourceType) String() string {
	if int(r) < len(resourceNames) {
		return resourceNames[r]
	}
	return ""
}

// ParseResourceType maps "image", "video" or "raw" to its ResourceType.
func ParseResourceType(s string) (ResourceType, bool) {
	switch s {
	case "image":
		return Image, true
	case "video":
		return Video, true
	case "raw":
		return Raw, true
	}
	return ResourceNone, false
}

// DeliveryType is the URL's type segment: upload, private, authenticated,
// fetch and the rest of Cloudinary's list.
type DeliveryType uint8

// Delivery types, in the order of the Go SDK's api package.
const (
	TypeNone DeliveryType = iota
	Upload
	Private
	Authenticated
	Fetch
	List
	Sprite
	Text
	Multi
	Facebook
	Twitter
	TwitterName
	Gravatar
	Youtube
	Hulu
	Vimeo
	Animoto
	Worldstarhiphop
	Dailymotion
)

var typeNames = [...]string{
	TypeNone: "", Upload: "upload", Private: "private", Authenticated: "authenticated",
	Fetch: "fetch", List: "list", Sprite: "sprite", Text: "text", Multi: "multi",
	Facebook: "facebook", Twitter: "twitter", TwitterName: "twitter_name",
	Gravatar: "gravatar", Youtube: "youtube", Hulu: "hulu", Vimeo: "vimeo",
	Animoto: "animoto", Worldstarhiphop: "worldstarhiphop", Dailymotion: "dailymotion",
}

func (t DeliveryType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return ""
}

// ParseDeliveryType maps a type segment ("upload", "fetch", ...) to its
// DeliveryType.
func ParseDeliveryType(s string) (DeliveryType, bool) {
	for i := Upload; int(i) < len(typeNames); i++ {
		if typeNames[i] == s {
			return i, true
		}
	}
	return TypeNone, false
}

// Remote reports whether the public ID of this type names something outside
// the cloud (a URL for fetch, a user name for the social types), so that the
// SDKs never add a version to it.
func (t DeliveryType) Remote() bool {
	return t == Fetch || t >= Facebook
}

// Form is how the URL spells its resource type and type.
type Form uint8

// URL forms.
const (
	// FormStandard is /<cloud>/<resource_type>/<type>/...
	FormStandard Form = iota
	// FormSEO replaces resource type and type with one segment (images,
	// videos, files, private_images, authenticated_images) and puts a
	// suffix after the public ID.
	FormSEO
	// FormShort is the SDKs' shorten option: /<cloud>/iu/... for image/upload.
	FormShort
	// FormRoot is the SDKs' use_root_path option: /<cloud>/... for image/upload.
	FormRoot
	// FormSearch is a search URL, /<cloud>/search/... (search.go): no
	// asset, no resource type or type; URL.Search holds its parts.
	FormSearch
)

// seoSegment maps an SEO segment to its resource type and type.
func seoSegment(s string) (ResourceType, DeliveryType, bool) {
	switch s {
	case "images":
		return Image, Upload, true
	case "private_images":
		return Image, Private, true
	case "authenticated_images":
		return Image, Authenticated, true
	case "videos":
		return Video, Upload, true
	case "files":
		return Raw, Upload, true
	}
	return ResourceNone, TypeNone, false
}

// SEOSegment is the segment that stands for rt/type in the SEO suffix form,
// or "" when the pair has none.
func SEOSegment(rt ResourceType, t DeliveryType) string {
	switch {
	case rt == Image && t == Upload:
		return "images"
	case rt == Image && t == Private:
		return "private_images"
	case rt == Image && t == Authenticated:
		return "authenticated_images"
	case rt == Video && t == Upload:
		return "videos"
	case rt == Raw && t == Upload:
		return "files"
	}
	return ""
}
