package bench

import (
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// photo is one corpus file as the bench uploads it.
type photo struct {
	File string // base name in the corpus
	ID   string // public ID: bench/<name>
	Data []byte
	MD5  [16]byte
}

// loadCorpus reads the corpus's JPEG and PNG files in place.
func loadCorpus(dir string) ([]photo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bench: corpus: %w (run the bench from the checkout after `make bench-deps`, or give -corpus)", err)
	}
	var out []photo
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".jpg" && ext != ".jpeg" && ext != ".png") || len(out) >= 64 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		id := "bench/" + strings.ToLower(strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())))
		out = append(out, photo{File: e.Name(), ID: id, Data: b, MD5: md5.Sum(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: no JPEG or PNG files in corpus %s", dir)
	}
	slices.SortFunc(out, func(a, b photo) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

// findPhoto returns the corpus file with this name.
func findPhoto(photos []photo, file string) (photo, error) {
	for _, p := range photos {
		if strings.EqualFold(p.File, file) {
			return p, nil
		}
	}
	return photo{}, fmt.Errorf("bench: %s is not in the corpus (`make bench-deps` fetches it into testdata/corpus)", file)
}

// variant is a transformation and an output format.
type variant struct {
	Tr  string // transformation, without slashes
	Ext string // jpg, webp, ...
}

// deliveryPath is a delivery URL path: /<cloud>/image/upload/[tr/][vN/]<id>.<ext>.
func deliveryPath(cloud string, v variant, version int64, id string) string {
	var b strings.Builder
	b.WriteString("/" + cloud + "/image/upload/")
	if v.Tr != "" {
		b.WriteString(v.Tr + "/")
	}
	if version > 0 {
		b.WriteString("v" + strconv.FormatInt(version, 10) + "/")
	}
	b.WriteString(id + "." + v.Ext)
	return b.String()
}

// mixVariants are the transformations and formats of the hit mix: the
// sizes a page asks for (thumbnail, avatar, card, lightbox, hero), as JPEG
// and WebP.
func mixVariants() []variant {
	var out []variant
	for _, tr := range []string{"c_fill,h_240,w_360,q_80", "c_fill,h_150,w_150", "w_640", "c_fit,h_800,w_800,q_80", "w_1280,q_80"} {
		for _, ext := range []string{"jpg", "webp"} {
			out = append(out, variant{tr, ext})
		}
	}
	return out
}

// mixPaths lists about n distinct delivery paths: every photo in every mix
// variant, repeated under versions 1, 2, ... (the version is a cache
// buster: each is a new key at the edge, while the origin serves its one
// stored derived file, so a large mix costs few transforms).
func mixPaths(cloud string, photos []photo, n int) []string {
	vs := mixVariants()
	per := len(photos) * len(vs)
	versions := max((n+per-1)/per, 1)
	out := make([]string, 0, versions*per)
	for ver := 1; ver <= versions; ver++ {
		for _, p := range photos {
			for _, v := range vs {
				out = append(out, deliveryPath(cloud, v, int64(ver), p.ID))
			}
		}
	}
	return out
}
