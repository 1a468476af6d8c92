package delivery

// VersionClass is what a URL's version component says, for purge matching.
type VersionClass uint8

// Version classes. The legacy invalidation rules treat URLs without a
// version, with v1 (what the SDKs add to public IDs with folders) and with
// any other version differently.
const (
	NoVersion VersionClass = iota
	VersionOne
	OtherVersion
)

func (v VersionClass) String() string {
	switch v {
	case NoVersion:
		return "none"
	case VersionOne:
		return "v1"
	}
	return "other"
}

// Class is the part of a URL that purge rules look at besides the asset's
// identity.
type Class struct {
	Version VersionClass
	Signed  bool
	Derived bool // has a transformation
}

// Class returns the URL's class.
func (u *URL) Class() Class {
	c := Class{Signed: u.Signature != "", Derived: u.Transformation != ""}
	switch {
	case !u.HasVersion:
		c.Version = NoVersion
	case u.Version == 1:
		c.Version = VersionOne
	default:
		c.Version = OtherVersion
	}
	return c
}
