package origin

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Tag limits from the Cloudinary docs (seed 003).
const (
	maxTagRunes   = 255
	maxAssetTags  = 1000
	maxTagsPerReq = 1000
)

// checkTags validates tags: each at most 255 characters; at most 1,000.
func checkTags(tags []string) error {
	if len(tags) > maxAssetTags {
		return badRequest("Too many tags - an asset can have at most %d tags", maxAssetTags)
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > maxTagRunes {
			return badRequest("Tag %s is too long - a tag has at most %d characters", clip(t), maxTagRunes)
		}
		if strings.ContainsAny(t, "\x00\n\r") {
			return badRequest("Invalid tag %s", clip(t))
		}
	}
	return nil
}

// addTags returns have plus the new tags not already there, in order.
func addTags(have, add []string) []string {
	out := slices.Clone(have)
	for _, t := range add {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// removeTags returns have without the given tags.
func removeTags(have, remove []string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(t string) bool { return slices.Contains(remove, t) })
}

// dedupe removes repeated tags, keeping the first.
func dedupe(tags []string) []string { return addTags(nil, tags) }
