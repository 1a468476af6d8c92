package origin

import (
	"errors"
	"maps"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxPublicIDsPerCall bounds the public_ids of a tags or context call;
// maxTagOperations bounds public_ids times tags of a tags call (Cloudinary's
// limit of 1,000 operations per call).
const (
	maxPublicIDsPerCall = 1000
	maxTagOperations    = 1000
)

type idsResult struct {
	PublicIDs []string `json:"public_ids"`
}

// tags serves POST /<rt>/tags: command add, remove, replace, remove_all
// or set_exclusive, tag (comma-separated for several), public_ids, type.
// set_exclusive adds the tags to the assets given and removes them from
// every other asset of the resource type, whatever its delivery type.
func (c *call) tags(rt string, p *Params) {
	cmd := p.Get("command")
	tags := dedupe(p.List("tag"))
	switch cmd {
	case "add", "remove", "replace", "set_exclusive":
		if len(tags) == 0 {
			c.fail(badRequest("Missing required parameter - tag"))
			return
		}
	case "remove_all":
	case "":
		c.fail(badRequest("Missing required parameter - command"))
		return
	default:
		c.fail(badRequest("Invalid command - %s (must be add, remove, replace, remove_all or set_exclusive)", clip(cmd)))
		return
	}
	if err := checkTags(tags); err != nil {
		c.fail(err)
		return
	}
	if n := len(p.List("public_ids")) * max(len(tags), 1); n > maxTagOperations {
		c.fail(badRequest("Too many tag operations - public_ids times tags is %d, at most %d", n, maxTagOperations))
		return
	}
	done, ok := c.updateEach(rt, p, func(a *meta.Asset) error {
		switch cmd {
		case "add", "set_exclusive":
			a.Tags = addTags(a.Tags, tags)
		case "remove":
			a.Tags = removeTags(a.Tags, tags)
		case "replace":
			a.Tags = tags
		case "remove_all":
			a.Tags = nil
		}
		return checkTags(a.Tags)
	})
	if !ok {
		return
	}
	if cmd == "set_exclusive" {
		if err := c.untagOthers(uploadRT(rt, p), tags, done); err != nil {
			c.fail(err)
			return
		}
	}
	c.ok(idsResult{PublicIDs: nonNil(done.ids)})
}

// untagOthers removes tags from every asset of the resource type but
// those kept (set_exclusive).
func (c *call) untagOthers(rt string, tags []string, keep taggedSet) error {
	for _, tag := range tags {
		q := meta.ListQuery{Cloud: c.cloud, ResourceType: rt, Tag: tag, Order: meta.OldestFirst, Limit: 500}
		for {
			page, err := c.s.meta.List(c.ctx(), q)
			if err != nil {
				return internal(err)
			}
			for _, a := range page.Assets {
				if keep.keys[a.Key] {
					continue
				}
				updated, err := c.s.meta.Update(c.ctx(), a.Key, func(a *meta.Asset) error {
					a.Tags = removeTags(a.Tags, []string{tag})
					a.UpdatedAt = c.s.now().UTC()
					return nil
				})
				if errors.Is(err, meta.ErrNotFound) {
					continue // deleted meanwhile
				}
				if err != nil {
					return internal(err)
				}
				c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: a.Key, OldVersion: updated.Version,
					NewVersion: updated.Version, Time: updated.UpdatedAt})
			}
			if page.Next == nil {
				return nil
			}
			q.After = page.Next
		}
	}
	return nil
}

// context serves POST /<rt>/context: command add (merge), remove (the
// keys named in context) or remove_all, with public_ids and type.
func (c *call) context(rt string, p *Params) {
	cmd := p.Get("command")
	ctx, err := parseContext(p.Get("context"))
	if err != nil {
		c.fail(err)
		return
	}
	switch cmd {
	case "add", "remove":
		if len(ctx) == 0 {
			c.fail(badRequest("Missing required parameter - context"))
			return
		}
	case "remove_all":
	case "":
		c.fail(badRequest("Missing required parameter - command"))
		return
	default:
		c.fail(badRequest("Invalid command - %s (must be add, remove or remove_all)", clip(cmd)))
		return
	}
	done, ok := c.updateEach(rt, p, func(a *meta.Asset) error {
		switch cmd {
		case "add":
			if a.Context == nil {
				a.Context = map[string]string{}
			}
			maps.Copy(a.Context, ctx)
		case "remove":
			for k := range ctx {
				delete(a.Context, k)
			}
		case "remove_all":
			a.Context = nil
		}
		if len(a.Context) > maxContextKeys {
			return badRequest("Too many context keys - at most %d", maxContextKeys)
		}
		return nil
	})
	if ok {
		c.ok(idsResult{PublicIDs: nonNil(done.ids)})
	}
}

// taggedSet is what updateEach changed: the public IDs, in order, and
// their keys.
type taggedSet struct {
	ids  []string
	keys map[meta.Key]bool
}

// updateEach applies fn to every asset of public_ids and reports those
// that exist; false when it failed (and answered the error).
func (c *call) updateEach(rt string, p *Params, fn func(*meta.Asset) error) (taggedSet, bool) {
	done := taggedSet{keys: map[meta.Key]bool{}}
	ids := p.List("public_ids")
	if len(ids) == 0 {
		ids = p.List("public_id")
	}
	if len(ids) == 0 {
		c.fail(badRequest("Missing required parameter - public_ids"))
		return done, false
	}
	if len(ids) > maxPublicIDsPerCall {
		c.fail(badRequest("Too many public_ids - at most %d", maxPublicIDsPerCall))
		return done, false
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		c.fail(err)
		return done, false
	}
	for _, id := range ids {
		key := meta.Key{Cloud: c.cloud, ResourceType: uploadRT(rt, p), Type: typ, PublicID: id}
		a, err := c.s.meta.Update(c.ctx(), key, func(a *meta.Asset) error {
			a.UpdatedAt = c.s.now().UTC()
			return fn(a)
		})
		if errors.Is(err, meta.ErrNotFound) {
			continue
		}
		if err != nil {
			c.fail(asAPIError(err))
			return done, false
		}
		c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
			NewVersion: a.Version, Time: a.UpdatedAt})
		done.ids = append(done.ids, id)
		done.keys[key] = true
	}
	return done, true
}
