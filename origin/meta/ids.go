package meta

import (
	"crypto/rand"
	"encoding/hex"
)

// RandomHex is n random bytes in hex: the IDs of assets, versions,
// folders, triggers and jobs' batches, and tokens.
func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
