package api

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

// CheckTags validates tags: each at most 255 characters; at most 1,000.
func CheckTags(tags []string) error {
	if len(tags) > maxAssetTags {
		return BadRequest("Too many tags - an asset can have at most %d tags", maxAssetTags)
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > maxTagRunes {
			return BadRequest("Tag %s is too long - a tag has at most %d characters", Clip(t), maxTagRunes)
		}
		if strings.ContainsAny(t, "\x00\n\r") {
			return BadRequest("Invalid tag %s", Clip(t))
		}
	}
	return nil
}

// AddTags returns have plus the new tags not already there, in order.
func AddTags(have, add []string) []string {
	out := slices.Clone(have)
	for _, t := range add {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTags returns have without the given tags.
func RemoveTags(have, remove []string) []string {
	return slices.DeleteFunc(slices.Clone(have), func(t string) bool { return slices.Contains(remove, t) })
}

// Dedupe removes repeated tags, keeping the first.
func Dedupe(tags []string) []string { return AddTags(nil, tags) }
