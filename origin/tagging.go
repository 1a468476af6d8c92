package origin

import (
	"errors"
	"maps"

	"github.com/mediacdn/mediacdn/origin/meta"
)

// maxPublicIDsPerCall bounds the public_ids of a tags or context call.
const maxPublicIDsPerCall = 1000

type idsResult struct {
	PublicIDs []string `json:"public_ids"`
}

// tags serves POST /<rt>/tags: command add, remove, replace or remove_all,
// tag (comma-separated for several), public_ids, type.
func (c *call) tags(rt string, p *Params) {
	cmd := p.Get("command")
	tags := dedupe(p.List("tag"))
	switch cmd {
	case "add", "remove", "replace":
		if len(tags) == 0 {
			c.fail(badRequest("Missing required parameter - tag"))
			return
		}
	case "remove_all":
	case "":
		c.fail(badRequest("Missing required parameter - command"))
		return
	default:
		c.fail(badRequest("Invalid command - %s (must be add, remove, replace or remove_all)", clip(cmd)))
		return
	}
	if err := checkTags(tags); err != nil {
		c.fail(err)
		return
	}
	c.updateEach(rt, p, func(a *meta.Asset) error {
		switch cmd {
		case "add":
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
	c.updateEach(rt, p, func(a *meta.Asset) error {
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
}

// updateEach applies fn to every asset of public_ids, answering with the
// IDs that exist.
func (c *call) updateEach(rt string, p *Params, fn func(*meta.Asset) error) {
	ids := p.List("public_ids")
	if len(ids) == 0 {
		ids = p.List("public_id")
	}
	if len(ids) == 0 {
		c.fail(badRequest("Missing required parameter - public_ids"))
		return
	}
	if len(ids) > maxPublicIDsPerCall {
		c.fail(badRequest("Too many public_ids - at most %d", maxPublicIDsPerCall))
		return
	}
	typ, err := typeParam(p, "type")
	if err != nil {
		c.fail(err)
		return
	}
	done := []string{}
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
			return
		}
		c.s.events.Emit(c.ctx(), Event{Kind: EventMetadataChanged, Asset: key, OldVersion: a.Version,
			NewVersion: a.Version, Time: a.UpdatedAt})
		done = append(done, id)
	}
	c.ok(idsResult{PublicIDs: done})
}
