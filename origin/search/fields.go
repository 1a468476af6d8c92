package search

import (
	"strconv"
	"strings"
)

// Kind is how a field's values compare.
type Kind int

// Kinds of fields.
const (
	Text   Kind = iota // exact or prefix match
	Number             // numbers, with comparisons and ranges
	Date               // dates (absolute or relative), with comparisons and ranges
	// TextWords is the kind, in MetadataKinds, of a string metadata
	// field: Text whose : matches words of the value (Words), as on the
	// fields that have words (WordField); = stays exact. A Term's Kind is
	// never TextWords (its Kind is Text, Words marks the : that matches
	// words).
	TextWords
)

// Field is a searchable field.
type Field string

// The fields of the expression language that mediacdn searches.
const (
	PublicID         Field = "public_id"
	AssetID          Field = "asset_id"
	Filename         Field = "filename"
	Folder           Field = "folder"
	AssetFolder      Field = "asset_folder"
	DisplayName      Field = "display_name"
	ResourceType     Field = "resource_type"
	Type             Field = "type"
	Format           Field = "format"
	Bytes            Field = "bytes"
	Width            Field = "width"
	Height           Field = "height"
	AspectRatio      Field = "aspect_ratio"
	Pixels           Field = "pixels"
	Pages            Field = "pages"
	Duration         Field = "duration"
	CreatedAt        Field = "created_at"
	UploadedAt       Field = "uploaded_at"
	Tags             Field = "tags"
	Context          Field = "context"  // context.<key>
	Metadata         Field = "metadata" // metadata.<external_id>: its kind is the field's (MetadataKinds)
	ModerationStatus Field = "moderation_status"
	AccessMode       Field = "access_mode"
	Status           Field = "status"
	// Any is the field of a term without one (free text): a word of any
	// field that has words (WordField).
	Any Field = "*"
)

// wordFields are the text fields whose values have words that : matches
// and a term without a field searches (context.<key> with every key).
var wordFields = map[Field]bool{PublicID: true, Filename: true, DisplayName: true, Tags: true, Context: true}

// WordField reports whether : matches words of the field's values.
func WordField(f Field) bool { return wordFields[f] }

// The fields of a folders search (ParseFolders): a folder's name (its
// path's last segment), path, external ID (alias id) and created_at.
const (
	Name       Field = "name"
	Path       Field = "path"
	ExternalID Field = "external_id"
)

// folderKinds are the kinds of a folders search's fields.
var folderKinds = map[Field]Kind{Name: Text, Path: Text, ExternalID: Text, CreatedAt: Date}

// kinds are the fields' kinds.
var kinds = map[Field]Kind{
	PublicID: Text, AssetID: Text, Filename: Text, Folder: Text, AssetFolder: Text, DisplayName: Text,
	ResourceType: Text, Type: Text, Format: Text, Tags: Text, Context: Text, ModerationStatus: Text,
	AccessMode: Text, Status: Text,
	Bytes: Number, Width: Number, Height: Number, AspectRatio: Number, Pixels: Number, Pages: Number,
	Duration:  Number,
	CreatedAt: Date, UploadedAt: Date,
}

// KindOf is a field's kind (a metadata.<external_id> term's is in its
// Kind).
func KindOf(f Field) Kind { return kinds[f] }

// MetadataKinds are a cloud's structured metadata fields by external ID, with
// the kind of their values: TextWords (string), Text (the entries'
// external IDs of enum and set: a value limited to a fixed list has no
// words), Number (integer) or Date. A metadata.<external_id> term names
// one of them.
type MetadataKinds map[string]Kind

// aliases are other names Cloudinary accepts for a field.
var aliases = map[string]Field{"tag": Tags, "size": Bytes}

// lookupField resolves a field name: the field and, for context.<key>
// and metadata.<external_id>, the key. The error explains names it does
// not know.
func (p *parser) lookupField(name string, pos int) (Field, string, error) {
	if p.folders {
		if name == "id" {
			return ExternalID, "", nil
		}
		if _, ok := folderKinds[Field(name)]; ok {
			return Field(name), "", nil
		}
		return "", "", errorf(pos, "unsupported field %s (folders are searched by name, path, external_id and created_at)", name)
	}
	if k, ok := strings.CutPrefix(name, "context."); ok {
		if k == "" {
			return "", "", errorf(pos, "context needs a key: context.<key>")
		}
		return Context, k, nil
	}
	if k, ok := strings.CutPrefix(name, "metadata."); ok {
		if _, ok := p.metadata[k]; !ok || k == "" {
			return "", "", errorf(pos, "unknown metadata field %s (no structured metadata field has the external ID %s)", name, strconv.Quote(k))
		}
		return Metadata, k, nil
	}
	if f, ok := aliases[name]; ok {
		return f, "", nil
	}
	if _, ok := kinds[Field(name)]; ok && name != string(Context) {
		return Field(name), "", nil
	}
	return "", "", errorf(pos, "unsupported field %s", name)
}
