package imagemeta

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// resourceIPTC is the Photoshop image resource that holds IPTC-IIM data.
const resourceIPTC = 0x0404

// parseIPTC reads the IPTC-IIM block among Photoshop image resources
// ("8BIM" blocks) and names its application-record datasets; repeated
// datasets (Keywords) are joined with ", ".
func parseIPTC(b []byte) map[string]string {
	data := photoshopResource(b, resourceIPTC)
	if data == nil {
		return nil
	}
	vals := map[string][]string{}
	var order []string
	for i := 0; i+5 <= len(data); {
		if data[i] != 0x1C {
			break
		}
		rec, ds := data[i+1], data[i+2]
		n := int(binary.BigEndian.Uint16(data[i+3:]))
		if n&0x8000 != 0 || i+5+n > len(data) {
			break // extended datasets are not read
		}
		v := data[i+5 : i+5+n]
		i += 5 + n
		name, ok := iptcNames[ds]
		if rec != 2 || !ok || !utf8.Valid(v) {
			continue
		}
		if _, seen := vals[name]; !seen {
			order = append(order, name)
		}
		vals[name] = append(vals[name], strings.TrimSpace(string(v)))
	}
	if len(order) == 0 {
		return nil
	}
	out := make(map[string]string, len(order))
	for _, k := range order {
		out[k] = strings.Join(vals[k], ", ")
	}
	return out
}

// photoshopResource finds resource id among "8BIM" image resource blocks.
func photoshopResource(b []byte, id uint16) []byte {
	for i := 0; i+12 <= len(b); {
		if !bytes.Equal(b[i:i+4], []byte("8BIM")) {
			return nil
		}
		rid := binary.BigEndian.Uint16(b[i+4:])
		nameLen := int(b[i+6])
		j := i + 6 + 1 + nameLen
		if (1+nameLen)%2 != 0 {
			j++ // the Pascal name is padded to an even size
		}
		if j+4 > len(b) {
			return nil
		}
		size := int(binary.BigEndian.Uint32(b[j:]))
		j += 4
		if size < 0 || j+size > len(b) {
			return nil
		}
		if rid == id {
			return b[j : j+size]
		}
		i = j + size + size&1
	}
	return nil
}
