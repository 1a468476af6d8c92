package origin

import (
	"time"

	"github.com/mediacdn/mediacdn/delivery"
	"github.com/mediacdn/mediacdn/origin/api"
)

// configJSON is GET config's answer, as the Go SDK's GetConfigResult.
type configJSON struct {
	CloudName string          `json:"cloud_name"`
	CreatedAt string          `json:"created_at"`
	Settings  *configSettings `json:"settings,omitempty"`
}

type configSettings struct {
	FolderMode string `json:"folder_mode"`
}

// cloudConfig serves GET config: the cloud's name, when the metadata store
// first saw it, and with settings=true its settings (folder_mode).
func (c *call) cloudConfig(p *api.Params) {
	settings, err := p.Bool("settings", false)
	if err != nil {
		c.fail(err)
		return
	}
	created, err := c.s.meta.CloudCreated(c.ctx(), c.cloud, c.s.now().UTC())
	if err != nil {
		c.fail(delivery.Internal(err))
		return
	}
	out := configJSON{CloudName: c.cloud, CreatedAt: created.Format(time.RFC3339)}
	if settings {
		out.Settings = &configSettings{FolderMode: string(c.cl.Folders())}
	}
	c.ok(out)
}
