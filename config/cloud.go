package config

import (
	"os"
	"sort"
	"strings"

	"github.com/mediacdn/mediacdn/delivery"
)

// Invalidation is a cloud's CDN invalidation mode.
type Invalidation string

// Invalidation modes (design.md, "Purge semantics").
const (
	// Global invalidates every URL of an asset: any transformation, any or
	// no version, signed or not. The default.
	Global Invalidation = "global"
	// Legacy invalidates by URL shape as Cloudinary's legacy accounts do:
	// unversioned URLs (or /v1/ ones for public IDs with slashes), or only
	// the latest version's with InvalidateVersionedURLs; never signed URLs.
	Legacy Invalidation = "legacy"
)

// FolderMode is how a cloud's folders relate to its public IDs, as
// Cloudinary's two folder modes.
type FolderMode string

// Folder modes (docs/upload-api.md, "Folder modes").
const (
	// Dynamic folders: an asset's folder (asset_folder) is its own field,
	// separate from its public ID; moving an asset or renaming its folder
	// leaves its public ID and URLs as they are. The default, and what
	// mediacdn clouds did before folder modes existed (asset_folder was
	// already kept apart from the public ID).
	DynamicFolders FolderMode = "dynamic"
	// Fixed folders: an asset's folder is its public ID's prefix; renaming
	// a folder renames the public IDs inside it (and purges their URLs).
	FixedFolders FolderMode = "fixed"
)

// Cloud is one cloud's settings: clouds.<name> in the YAML file.
type Cloud struct {
	// APIKey identifies the cloud's API client. Required.
	// Environment: MEDIACDN_CLOUDS_<NAME>_API_KEY.
	APIKey string `yaml:"api_key"`
	// APISecret signs Upload API requests and delivery URLs and is the
	// Admin API's Basic password. Required.
	// Environment: MEDIACDN_CLOUDS_<NAME>_API_SECRET.
	APISecret string `yaml:"api_secret"`
	// AuthTokenKey is the hex key of the cloud's token-based
	// authentication (the SDKs' auth_token key): edges and origins verify
	// __cld_token__ tokens with it (docs/access-control.md). Empty (the
	// default) accepts no token. Environment:
	// MEDIACDN_CLOUDS_<NAME>_AUTH_TOKEN_KEY.
	AuthTokenKey string `yaml:"auth_token_key"`
	// Invalidation is "global" (empty means global) or "legacy".
	Invalidation Invalidation `yaml:"invalidation"`
	// InvalidateVersionedURLs, in legacy mode, invalidates only URLs with
	// the asset's latest version instead of unversioned (or /v1/) ones.
	// Default false; ignored in global mode.
	InvalidateVersionedURLs bool `yaml:"invalidate_versioned_urls"`
	// StrictTransformations allows on-the-fly generation of named, allowed
	// and eager transformations only (others need a signed URL). Default false.
	StrictTransformations bool `yaml:"strict_transformations"`
	// Backup keeps deleted and overwritten originals so they can be
	// restored. Default false.
	Backup bool `yaml:"backup"`
	// Hosts are private-CDN host names that deliver this cloud without a
	// /<cloud> path segment, matched by name whatever the case and port (a
	// port written here is ignored: delivery.HostName). Default none.
	Hosts []string `yaml:"hosts"`
	// NamedTransformations seed the cloud's named transformations (t_<name>
	// in URLs): name → transformation string. They are allowed for strict
	// transformations. The Admin API manages more at run time. Default none.
	NamedTransformations map[string]string `yaml:"named_transformations"`
	// Admin configures the cloud's Admin API: rate limit, plan and usage
	// limits (config/admin.go).
	Admin AdminAPI `yaml:"admin"`
	// FetchDomains are the hosts that fetch delivery URLs
	// (/<cloud>/image/fetch/<remote URL>) may download from: a name
	// matches itself and its subdomains, "*" matches any host. Empty (the
	// default) refuses fetch URLs. Addresses are checked as for uploads
	// from URLs (origin.fetch: no loopback or private networks unless
	// allowed there).
	FetchDomains []string `yaml:"fetch_domains"`
	// FetchSignedOnly refuses fetch URLs without a valid signature (as
	// Cloudinary's "Fetched URL" restricted media type does), so that only
	// URLs your own code built can make the origin download and store.
	// Default false.
	FetchSignedOnly bool `yaml:"fetch_signed_only"`
	// ClientHints sends Accept-CH: Sec-CH-DPR, Sec-CH-Width,
	// Sec-CH-Viewport-Width with the cloud's delivery answers, asking
	// browsers for the hints dpr_auto and w_auto read. Browsers honour it
	// on the page's own answer, so a page on another host still opts in
	// itself (Accept-CH, Permissions-Policy or a delegate-ch meta tag, as
	// Cloudinary documents). Default false.
	ClientHints bool `yaml:"client_hints"`
	// FolderMode is "dynamic" (the default when empty: an asset's folder
	// is separate from its public ID) or "fixed" (the folder is the public
	// ID's prefix), as Cloudinary's folder modes (docs/upload-api.md).
	// GET config?settings=true reports it.
	FolderMode FolderMode `yaml:"folder_mode"`
}

// FetchAllowed reports whether fetch URLs of this cloud may download from
// host.
func (c Cloud) FetchAllowed(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range c.FetchDomains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if d == "*" || host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// Clouds maps cloud names to their settings.
type Clouds map[string]Cloud

// Names returns the cloud names, sorted.
func (c Clouds) Names() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ApplyEnv overrides keys and secrets from MEDIACDN_CLOUDS_<NAME>_API_KEY,
// MEDIACDN_CLOUDS_<NAME>_API_SECRET and
// MEDIACDN_CLOUDS_<NAME>_AUTH_TOKEN_KEY (the name upper-cased, "-" as "_").
func (c Clouds) ApplyEnv() {
	for name, cl := range c {
		if v, ok := os.LookupEnv(CloudEnv(name, "API_KEY")); ok {
			cl.APIKey = v
		}
		if v, ok := os.LookupEnv(CloudEnv(name, "API_SECRET")); ok {
			cl.APISecret = v
		}
		if v, ok := os.LookupEnv(CloudEnv(name, "AUTH_TOKEN_KEY")); ok {
			cl.AuthTokenKey = v
		}
		c[name] = cl
	}
}

// CloudEnv is the environment variable that sets setting (API_KEY,
// API_SECRET) of cloud name: MEDIACDN_CLOUDS_<NAME>_<SETTING>.
func CloudEnv(name, setting string) string {
	return EnvPrefix + "CLOUDS_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_" + setting
}

// CheckSecrets refuses placeholder API secrets ("change-me"), which only
// dev runs with; origins call it (edges never read a cloud's secret). The
// error says how to set a real one.
func (c Clouds) CheckSecrets() error {
	for _, name := range c.Names() {
		if s := c[name].APISecret; s != "" && Placeholder(s) {
			return Errorf("clouds."+name+".api_secret", "%q is a placeholder, accepted by dev only: set the cloud's secret in %s (the environment overrides the file) or in the file",
				s, CloudEnv(name, "API_SECRET"))
		}
	}
	return nil
}

// Validate checks every cloud; the error names the field. Edges need no
// keys or secrets (the origin checks every signature), so secrets says
// whether they are required.
func (c Clouds) Validate(secrets bool) error {
	if len(c) == 0 {
		return Errorf("clouds", "at least one cloud is required")
	}
	hosts := map[string]string{}
	for _, name := range c.Names() {
		if err := validCloudName(name); err != nil {
			return Prefix("clouds", err)
		}
		if err := c[name].validate(name, secrets); err != nil {
			return Prefix("clouds."+name, err)
		}
		for _, h := range c[name].Hosts {
			// Hosts match by name, whatever the case and port.
			if other, dup := hosts[delivery.HostName(h)]; dup && other != name {
				return Errorf("clouds."+name+".hosts", "host %q is already used by cloud %q", h, other)
			}
			hosts[delivery.HostName(h)] = name
		}
	}
	return nil
}

func validCloudName(name string) error {
	if name == "" || len(name) > 128 {
		return Errorf(name, "a cloud name has 1 to 128 characters")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return Errorf(name, "a cloud name has only letters, digits, '_' and '-'")
		}
	}
	return nil
}

func (c Cloud) validate(name string, secrets bool) error {
	switch {
	case secrets && c.APIKey == "":
		return Errorf("api_key", "required (or set %s)", CloudEnv(name, "API_KEY"))
	case secrets && c.APISecret == "":
		return Errorf("api_secret", "required (or set %s)", CloudEnv(name, "API_SECRET"))
	case c.Invalidation != "" && c.Invalidation != Global && c.Invalidation != Legacy:
		return Errorf("invalidation", "must be %q or %q, not %q", Global, Legacy, c.Invalidation)
	case c.FolderMode != "" && c.FolderMode != DynamicFolders && c.FolderMode != FixedFolders:
		return Errorf("folder_mode", "must be %q or %q, not %q", DynamicFolders, FixedFolders, c.FolderMode)
	}
	if c.AuthTokenKey != "" {
		if _, err := delivery.ParseTokenKey(c.AuthTokenKey); err != nil {
			return Errorf("auth_token_key", "%v (the SDKs' hex auth_token key)", err)
		}
	}
	if err := c.Admin.Validate(); err != nil {
		return Prefix("admin", err)
	}
	for _, h := range c.Hosts {
		if h == "" || strings.ContainsAny(h, "/ \t") {
			return Errorf("hosts", "invalid host name %q", h)
		}
	}
	for _, d := range c.FetchDomains {
		if d == "" || strings.ContainsAny(d, "/:@ \t") || strings.Contains(d, "*") && d != "*" {
			return Errorf("fetch_domains", "invalid domain %q (a host name, or \"*\" for any)", d)
		}
	}
	for name, tx := range c.NamedTransformations {
		if !ValidTransformationName(name) {
			return Errorf("named_transformations", "invalid name %q (letters, digits, _ and - only)", name)
		}
		if _, err := delivery.ParseTransformation(tx); err != nil {
			return Errorf("named_transformations."+name, "%v", err)
		}
	}
	return nil
}

// ValidTransformationName reports whether n can name a named
// transformation: letters, digits, "_" and "-", 1 to 255 characters.
func ValidTransformationName(n string) bool {
	if n == "" || len(n) > 255 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Folders is the cloud's folder mode with the default applied.
func (c Cloud) Folders() FolderMode {
	if c.FolderMode == "" {
		return DynamicFolders
	}
	return c.FolderMode
}

// Mode is the cloud's invalidation mode with the default applied.
func (c Cloud) Mode() Invalidation {
	if c.Invalidation == "" {
		return Global
	}
	return c.Invalidation
}
