// Package console is mediacdn's web console, the Media Library of a cloud:
// server-rendered pages (html/template) with plain ES modules, embedded in
// the binary, served by the origin under /console/ on its API listener.
// Every read and change goes through the origin's own Admin, Upload and
// invalidation APIs, called in process with the signed-in cloud's
// credentials (adminapi.go): the console implements no rule of its own.
//
// Files: config.go (Config), session.go (sessions), adminapi.go (the API
// calls), console.go (Handler, routing, sign-in, security headers),
// pages.go (the pages, bulk deletion, purges, usage, upload),
// pages_library.go (the library: folder tree, search), pages_asset.go (the
// asset page's rename, restore, metadata and URL builder),
// pages_transformations.go (named transformations), pages_usage.go (the
// usage page and its SVG charts), pages_bulk_search.go (bulk deletion of
// a search's matches), templates/ and static/ (embedded).
package console

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/config"
	"github.com/mediacdn/mediacdn/origin/api"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Edge is what the origin knows of one live edge (from its heartbeats).
type Edge struct {
	ID       string    `json:"id"`
	Applied  uint64    `json:"applied"`
	Lag      uint64    `json:"lag"`
	CaughtUp bool      `json:"caught_up"`
	Seen     time.Time `json:"seen"`
}

// Options are what the console is built from.
type Options struct {
	Config Config
	Clouds config.Clouds
	// API serves /v1_1/<cloud>/...: the origin's APIs.
	API http.Handler
	// DeliveryURL is where browsers fetch assets (an edge).
	DeliveryURL string
	// Edges lists the live edges, the lag of each counted from the newest
	// sequence any of them applied; nil when the origin has no NATS.
	Edges func() []Edge
	// Limiter counts sign-in attempts (the origin's rate limiter).
	Limiter *api.RateLimiter
	Now     func() time.Time
	Log     *slog.Logger
}

// Handler serves /console/.
type Handler struct {
	opts     Options
	sessions *sessions
	pages    map[string]*template.Template
	static   http.Handler
	csp      string
}

// cookie names: the session, and the sign-in form's CSRF token.
const (
	sessionCookie = "mediacdn_console"
	signinCookie  = "mediacdn_console_signin"
)

// New builds the console.
func New(o Options) (*Handler, error) {
	o.Config.ApplyDefaults()
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Limiter == nil {
		o.Limiter = api.NewRateLimiter(nil)
	}
	h := &Handler{opts: o, sessions: newSessions(o.Config.SessionMaxAge, o.Config.MaxSessions), pages: map[string]*template.Template{}}
	funcs := template.FuncMap{"thumb": h.thumbURL, "preview": h.previewURL, "join": strings.Join, "bytes": humanBytes, "dict": dict}
	for _, p := range []string{"signin", "library", "asset", "purges", "upload", "usage", "error", "transformations", "transformation"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, err
		}
		h.pages[p] = t
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	h.static = http.StripPrefix("/console/static/", http.FileServer(http.FS(sub)))
	img := "'self'"
	if u, err := url.Parse(o.DeliveryURL); err == nil && u.Host != "" {
		img += " " + u.Scheme + "://" + u.Host
	}
	h.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return h, nil
}

// ServeHTTP routes /console/...
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	path := strings.TrimPrefix(r.URL.Path, "/console")
	if strings.HasPrefix(path, "/static/") {
		hd.Set("Cache-Control", "no-cache")
		h.static.ServeHTTP(w, r)
		return
	}
	hd.Set("Cache-Control", "no-store")
	switch path {
	case "", "/":
		http.Redirect(w, r, "/console/library", http.StatusSeeOther)
		return
	case "/signin":
		switch r.Method {
		case http.MethodGet:
			h.signinPage(w, r, "", http.StatusOK)
		case http.MethodPost:
			h.signin(w, r)
		default:
			h.methodNotAllowed(w, "GET, POST")
		}
		return
	}
	ss := h.session(r)
	if ss == nil {
		if r.Method == http.MethodGet && !strings.HasSuffix(path, ".json") {
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
		h.fail(w, r, nil, http.StatusUnauthorized, "Sign in first")
		return
	}
	if r.Method == http.MethodPost && path == "/upload.json" {
		// An upload's body is the Upload API's to read and bound: its
		// CSRF token comes in a header.
		if !tokenEqual(r.Header.Get("X-CSRF-Token"), ss.csrf) {
			h.fail(w, r, ss, http.StatusForbidden, "Invalid CSRF token - reload the page and try again")
			return
		}
	} else if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !tokenEqual(r.PostFormValue("csrf"), ss.csrf) {
			h.fail(w, r, ss, http.StatusForbidden, "Invalid CSRF token - reload the page and try again")
			return
		}
	}
	p := &page{h: h, w: w, r: r, s: ss}
	route, ok := pageRoutes[path]
	if !ok {
		h.fail(w, r, ss, http.StatusNotFound, "Not found")
		return
	}
	fn, ok := route[r.Method]
	if !ok {
		h.methodNotAllowed(w, strings.Join(methods(route), ", "))
		return
	}
	fn(p)
}

func methods(route map[string]func(*page)) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if _, ok := route[m]; ok {
			out = append(out, m)
		}
	}
	return out
}

func (h *Handler) methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
}

// session is the request's live session, or nil.
func (h *Handler) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return h.sessions.get(c.Value, h.opts.Now())
}

// secure says whether cookies are marked Secure.
func (h *Handler) secure(r *http.Request) bool { return r.TLS != nil || h.opts.Config.SecureCookie }

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
}

// signinPage shows the sign-in form with a fresh CSRF token, kept in a
// cookie of its own until the form comes back.
func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request, msg string, status int) {
	token := randomToken()
	h.setCookie(w, r, signinCookie, token, 3600)
	clouds := make([]string, 0, len(h.opts.Clouds))
	for name := range h.opts.Clouds {
		clouds = append(clouds, name)
	}
	h.render(w, status, "signin", map[string]any{"CSRF": token, "Error": msg, "Clouds": sortStrings(clouds),
		"Cloud": r.PostFormValue("cloud"), "Key": r.PostFormValue("api_key")})
}

// signin checks a cloud's API key and secret, counted by the rate
// limiter per cloud and client address, and starts a session.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(signinCookie)
	if err != nil || !tokenEqual(r.PostFormValue("csrf"), c.Value) {
		h.fail(w, r, nil, http.StatusForbidden, "Invalid CSRF token - reload the page and try again")
		return
	}
	cloud := r.PostFormValue("cloud")
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	// Attempts on unknown clouds share one key per client, so that made-up
	// names do not each add a counter.
	key := "console_signin//" + host
	if _, ok := h.opts.Clouds[cloud]; ok {
		key = "console_signin/" + cloud + "/" + host
	}
	if err := h.opts.Limiter.Take(r.Context(), w, key, h.opts.Config.SignInRateLimit, h.opts.Now()); err != nil {
		h.signinPage(w, r, "Too many sign-in attempts - try again later", http.StatusTooManyRequests)
		return
	}
	cl, ok := h.opts.Clouds[cloud]
	if !ok || cloud == "" || !tokenEqual(r.PostFormValue("api_key"), cl.APIKey) || !tokenEqual(r.PostFormValue("api_secret"), cl.APISecret) {
		h.signinPage(w, r, "Unknown cloud, API key or secret", http.StatusUnauthorized)
		return
	}
	ss := h.sessions.create(cloud, h.opts.Now())
	h.setCookie(w, r, signinCookie, "", -1)
	h.setCookie(w, r, sessionCookie, ss.id, int(h.opts.Config.SessionMaxAge/time.Second))
	h.opts.Log.Info("console sign-in", "cloud", cloud, "client", host)
	http.Redirect(w, r, "/console/library", http.StatusSeeOther)
}

// signout ends the session.
func (p *page) signout() {
	p.h.sessions.remove(p.s.id)
	p.h.setCookie(p.w, p.r, sessionCookie, "", -1)
	http.Redirect(p.w, p.r, "/console/signin", http.StatusSeeOther)
}

// dict makes a map of its key and value pairs, for a template's
// argument.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}

// render executes a page's template.
func (h *Handler) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.pages[name].ExecuteTemplate(w, "layout.html", data); err != nil {
		h.opts.Log.Error("console page", "page", name, "err", err)
	}
}

// fail answers an error page (JSON for .json paths).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, ss *session, status int, msg string) {
	if strings.HasSuffix(r.URL.Path, ".json") {
		api.WriteJSON(w, status, map[string]any{"error": map[string]string{"message": msg}})
		return
	}
	data := map[string]any{"Error": msg, "Status": status}
	if ss != nil {
		data["Session"], data["Cloud"], data["CSRF"] = true, ss.cloud, ss.csrf
	}
	h.render(w, status, "error", data)
}
