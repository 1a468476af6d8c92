package origin

import (
	"encoding/base64"
	"encoding/json"
)

// cursor is a page position: what next_cursor (and derived_next_cursor,
// related_next_cursor) carry, opaque to clients. Kind binds it to the
// listing and order it came from, so that a cursor given to another
// listing is refused rather than misread.
type cursor struct {
	Kind     string `json:"k"`
	Seq      int64  `json:"s,omitempty"`
	PublicID string `json:"p,omitempty"`
	Type     string `json:"t,omitempty"`
	Name     string `json:"n,omitempty"`
}

// encode formats the cursor: URL-safe base64 of its JSON.
func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor of the given kind; "" is no cursor (nil).
func decodeCursor(s, kind string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.Kind != kind {
		return nil, badRequest("Invalid next_cursor - %s", clip(s))
	}
	return &c, nil
}
