package origin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
	"github.com/mediacdn/mediacdn/origin/meta"
)

// Upload mappings (Cloudinary's auto-upload): /upload_mappings maps a
// folder to a template URL prefix. The SDKs name the folder in the
// parameters: GET with folder gets one, without lists them; POST creates,
// PUT changes the template, DELETE deletes. Delivery fetches a mapped
// folder's missing assets from the template (deliver_mapped.go).

// maxTemplateLength bounds a mapping's template URL (its folder is
// bounded as public IDs are: api.CheckFolder).
const maxTemplateLength = 2048

// mappingJSON is a mapping as the Admin API answers it.
type mappingJSON struct {
	Folder   string `json:"folder"`
	Template string `json:"template"`
}

// mappingRoutes routes /upload_mappings.
func (c *call) mappingRoutes(tail string) adminRoutes {
	if tail != "" {
		return nil
	}
	return adminRoutes{
		http.MethodGet: {mappingGetSpec(), func(p *api.Params) {
			if p.Has("folder") {
				c.getMapping(p)
				return
			}
			c.listMappings(p)
		}},
		http.MethodPost:   {mappingWriteSpec(), c.createMapping},
		http.MethodPut:    {mappingWriteSpec(), c.updateMapping},
		http.MethodDelete: {mappingDeleteSpec(), c.deleteMapping},
	}
}

// listMappings serves GET /upload_mappings: max_results, next_cursor.
func (c *call) listMappings(p *api.Params) {
	lp, err := parseListParams(p, "next_cursor")
	if err != nil {
		c.fail(err)
		return
	}
	cur, err := api.DecodeCursor(lp.cursor, "upload_mappings")
	if err != nil {
		c.fail(err)
		return
	}
	after := ""
	if cur != nil {
		after = cur.Name
	}
	list, err := c.s.meta.UploadMappings(c.ctx(), c.cloud, after, lp.max+1)
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := struct {
		Mappings   []mappingJSON `json:"mappings"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}{Mappings: []mappingJSON{}}
	for i, m := range list {
		if i == lp.max {
			out.NextCursor = api.Cursor{Kind: "upload_mappings", Name: list[i-1].Folder}.Encode()
			break
		}
		out.Mappings = append(out.Mappings, mappingJSON{Folder: m.Folder, Template: m.Template})
	}
	c.ok(out)
}

// getMapping serves GET /upload_mappings?folder=.
func (c *call) getMapping(p *api.Params) {
	folder, err := mappingFolder(p)
	if err != nil {
		c.fail(err)
		return
	}
	m, err := c.s.meta.UploadMapping(c.ctx(), c.cloud, folder)
	if err != nil {
		c.fail(mappingErr(err, folder))
		return
	}
	c.ok(mappingJSON{Folder: m.Folder, Template: m.Template})
}

// createMapping serves POST /upload_mappings: folder and template.
func (c *call) createMapping(p *api.Params) {
	folder, err := mappingFolder(p)
	if err != nil {
		c.fail(err)
		return
	}
	template, err := mappingTemplate(p)
	if err != nil {
		c.fail(err)
		return
	}
	now := c.s.now().UTC()
	m := &meta.UploadMapping{Cloud: c.cloud, Folder: folder, Template: template, CreatedAt: now, UpdatedAt: now}
	if err := c.s.meta.CreateUploadMapping(c.ctx(), m); err != nil {
		c.fail(mappingErr(err, folder))
		return
	}
	c.ok(map[string]string{"message": "created", "folder": folder})
}

// updateMapping serves PUT /upload_mappings: folder and its new template.
func (c *call) updateMapping(p *api.Params) {
	folder, err := mappingFolder(p)
	if err != nil {
		c.fail(err)
		return
	}
	template, err := mappingTemplate(p)
	if err != nil {
		c.fail(err)
		return
	}
	if err := c.s.meta.UpdateUploadMapping(c.ctx(), c.cloud, folder, template, c.s.now().UTC()); err != nil {
		c.fail(mappingErr(err, folder))
		return
	}
	c.ok(map[string]string{"message": "updated"})
}

// deleteMapping serves DELETE /upload_mappings: folder.
func (c *call) deleteMapping(p *api.Params) {
	folder, err := mappingFolder(p)
	if err != nil {
		c.fail(err)
		return
	}
	if err := c.s.meta.DeleteUploadMapping(c.ctx(), c.cloud, folder); err != nil {
		c.fail(mappingErr(err, folder))
		return
	}
	c.ok(map[string]string{"message": "deleted"})
}

// mappingErr answers a store error about a folder's mapping.
func mappingErr(err error, folder string) error {
	switch {
	case isNotFound(err):
		return delivery.Errorf(http.StatusNotFound, "Upload mapping not found - %s", api.Clip(folder))
	case errors.Is(err, meta.ErrExists):
		return delivery.Errorf(http.StatusConflict, "Upload mapping for folder %s already exists", api.Clip(folder))
	}
	return delivery.Internal(err)
}

// mappingFolder reads the folder parameter: a folder path without leading
// or trailing slashes, as public IDs spell it.
func mappingFolder(p *api.Params) (string, error) {
	folder := strings.Trim(p.Get("folder"), "/")
	if folder == "" {
		return "", api.BadRequest("Missing required parameter - folder")
	}
	if err := api.CheckFolder(folder); err != nil {
		return "", err
	}
	return folder, nil
}

// mappingTemplate reads the template parameter: an http or https URL
// prefix (the rest of a public ID is appended to it as it is).
func mappingTemplate(p *api.Params) (string, error) {
	t := p.Get("template")
	if t == "" {
		return "", api.BadRequest("Missing required parameter - template")
	}
	u, err := url.Parse(t)
	if err != nil || len(t) > maxTemplateLength || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", api.BadRequest("Invalid template - %s (an http or https URL prefix)", api.Clip(t))
	}
	return t, nil
}
