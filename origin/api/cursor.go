package api

import (
	"encoding/base64"
	"encoding/json"
)

// Cursor is a page position: what next_cursor (and derived_next_cursor,
// related_next_cursor) carry, opaque to clients. Kind binds it to the
// listing and order it came from, so that a cursor given to another
// listing is refused rather than misread.
type Cursor struct {
	Kind     string `json:"k"`
	Seq      int64  `json:"s,omitempty"`
	PublicID string `json:"p,omitempty"`
	Type     string `json:"t,omitempty"`
	Name     string `json:"n,omitempty"`
}

// Encode formats the cursor: URL-safe base64 of its JSON.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor of the given kind; "" is no cursor (nil).
func DecodeCursor(s, kind string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.Kind != kind {
		return nil, BadRequest("Invalid next_cursor - %s", Clip(s))
	}
	return &c, nil
}
