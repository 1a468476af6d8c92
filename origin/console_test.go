package origin_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/origin"
)

// consoleClient is a browser of the console: a cookie jar, redirects
// not followed (each answer is checked).
type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newConsoleClient(t *testing.T, o *testOrigin) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: o.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type consoleAnswer struct {
	status int
	header http.Header
	body   string
}

func (c *consoleClient) do(method, path string, form url.Values) consoleAnswer {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return consoleAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf is the CSRF token of a page's forms.
func (a consoleAnswer) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("no CSRF token in the page: %d %s", a.status, a.body)
	}
	return m[1]
}

// signIn signs in with secret and returns the answer to the form.
func (c *consoleClient) signIn(secret string) consoleAnswer {
	c.t.Helper()
	page := c.do(http.MethodGet, "/console/signin", nil)
	return c.do(http.MethodPost, "/console/signin", url.Values{"csrf": {page.csrf(c.t)}, "cloud": {cloudName},
		"api_key": {apiKey}, "api_secret": {secret}})
}

func (c *consoleClient) mustSignIn() {
	c.t.Helper()
	if a := c.signIn(apiSecret); a.status != http.StatusSeeOther || a.header.Get("Location") != "/console/library" {
		c.t.Fatalf("sign-in: %d %v %s", a.status, a.header, a.body)
	}
}

// Sign-in: pages need a session; a wrong secret is refused; the right one
// gives an HttpOnly, SameSite=Strict cookie; the pages carry a strict CSP
// and never the secret.
func TestConsoleSignIn(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "shelf/book", 3, nil)
	c := newConsoleClient(t, o)
	if a := c.do(http.MethodGet, "/console/library?rt=raw", nil); a.status != http.StatusSeeOther || a.header.Get("Location") != "/console/signin" {
		t.Fatalf("library before sign-in: %d %v", a.status, a.header)
	}
	page := c.do(http.MethodGet, "/console/signin", nil)
	csp := page.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Count(page.body, "<script") != strings.Count(page.body, `<script type="module" src="/console/static/console.js"></script>`) {
		t.Errorf("inline script allowed or present: %q", csp)
	}
	if a := c.signIn("wrong"); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "Unknown cloud, API key or secret") {
		t.Fatalf("wrong secret: %d %s", a.status, a.body)
	}
	a := c.signIn(apiSecret)
	if a.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", a.status, a.body)
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: a.header}).Cookies() {
		if ck.Name == "mediacdn_console" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure || session.Path != "/console/" {
		t.Fatalf("session cookie: %+v", session)
	}
	lib := c.do(http.MethodGet, "/console/library?rt=raw&prefix=shelf/", nil)
	if lib.status != http.StatusOK || !strings.Contains(lib.body, "shelf/book00002") || lib.header.Get("Content-Security-Policy") != csp {
		t.Fatalf("library: %d %s", lib.status, lib.body)
	}
	if strings.Contains(lib.body, apiSecret) || strings.Contains(page.body, apiSecret) || strings.Contains(a.body, apiSecret) {
		t.Fatal("the secret reached a page")
	}
}

// A change without the session's CSRF token is refused and changes
// nothing; the sign-in form needs its own token too.
func TestConsoleCSRFRefused(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "doc", 1, nil)
	c := newConsoleClient(t, o)
	creds := url.Values{"cloud": {cloudName}, "api_key": {apiKey}, "api_secret": {apiSecret}}
	if a := c.do(http.MethodPost, "/console/signin", creds); a.status != http.StatusForbidden {
		t.Fatalf("sign-in without its token or cookie: %d %s", a.status, a.body)
	}
	c.do(http.MethodGet, "/console/signin", nil) // its token cookie
	for _, token := range []string{"", strings.Repeat("0", 64)} {
		creds.Set("csrf", token)
		if a := c.do(http.MethodPost, "/console/signin", creds); a.status != http.StatusForbidden {
			t.Fatalf("sign-in with token %q: %d %s", token, a.status, a.body)
		}
	}
	c.mustSignIn()
	asset := c.do(http.MethodGet, "/console/asset?rt=raw&id=doc00000", nil)
	if asset.status != http.StatusOK {
		t.Fatalf("asset: %d %s", asset.status, asset.body)
	}
	change := url.Values{"rt": {"raw"}, "id": {"doc00000"}, "tags": {"stolen"}, "context": {""}}
	for _, token := range []string{"", "00" + asset.csrf(t)[2:]} {
		change.Set("csrf", token)
		if a := c.do(http.MethodPost, "/console/asset/update", change); a.status != http.StatusForbidden || !strings.Contains(a.body, "Invalid CSRF token") {
			t.Fatalf("update with token %q: %d %s", token, a.status, a.body)
		}
	}
	if tags := adminGet(t, o, "resources/raw/upload/doc00000").body["tags"]; tags != nil && len(tags.([]any)) != 0 {
		t.Fatalf("tags changed without a token: %v", tags)
	}
	// An upload carries the token in a header: without it, nothing is stored.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "note.txt")
	fw.Write([]byte("hello"))
	mw.WriteField("public_id", "smuggled")
	mw.Close()
	for _, token := range []string{"", strings.Repeat("0", 64), asset.csrf(t)} {
		req, _ := http.NewRequest(http.MethodPost, o.URL+"/console/upload.json", bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusForbidden
		if token == asset.csrf(t) {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Fatalf("upload with token %q: %d, want %d", token, resp.StatusCode, want)
		}
		if stored := adminGet(t, o, "resources/raw/upload/smuggled").status == http.StatusOK; stored != (want == http.StatusOK) {
			t.Fatalf("upload with token %q: stored %v", token, stored)
		}
	}
	change.Set("csrf", asset.csrf(t))
	if a := c.do(http.MethodPost, "/console/asset/update", change); a.status != http.StatusSeeOther {
		t.Fatalf("update with the token: %d %s", a.status, a.body)
	}
	if tags, _ := adminGet(t, o, "resources/raw/upload/doc00000").body["tags"].([]any); len(tags) != 1 {
		t.Fatalf("tags after the update: %v %v", tags, adminGet(t, o, "resources/raw/upload/doc00000").body)
	}
}

// A session ends session_max_age after its sign-in.
func TestConsoleSessionExpires(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	o := startOriginClock(t, func(c *origin.Config) { c.Console.SessionMaxAge = time.Hour }, now)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	if a := c.do(http.MethodGet, "/console/purges", nil); a.status != http.StatusOK {
		t.Fatalf("purges: %d", a.status)
	}
	mu.Lock()
	clock = clock.Add(time.Hour + time.Second)
	mu.Unlock()
	if a := c.do(http.MethodGet, "/console/purges", nil); a.status != http.StatusSeeOther || a.header.Get("Location") != "/console/signin" {
		t.Fatalf("after session_max_age: %d %v", a.status, a.header)
	}
	if a := c.do(http.MethodGet, "/console/edges.json", nil); a.status != http.StatusUnauthorized {
		t.Fatalf("edges.json after session_max_age: %d %s", a.status, a.body)
	}
}

// Sign-out ends the session on the server: its cookie no longer opens a
// page.
func TestConsoleSignOut(t *testing.T) {
	o := startOrigin(t, nil)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	u, _ := url.Parse(o.URL + "/console/")
	old := c.c.Jar.Cookies(u)
	page := c.do(http.MethodGet, "/console/purges", nil)
	if a := c.do(http.MethodPost, "/console/signout", url.Values{"csrf": {page.csrf(t)}}); a.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d %s", a.status, a.body)
	}
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, old)
	c.c.Jar = jar
	if a := c.do(http.MethodGet, "/console/purges", nil); a.status != http.StatusSeeOther || a.header.Get("Location") != "/console/signin" {
		t.Fatalf("old cookie after sign-out: %d %v", a.status, a.header)
	}
}

// Sign-in attempts are counted per cloud and client: past the limit even
// the right secret is refused.
func TestConsoleSignInRateLimited(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Console.SignInRateLimit = 3 })
	c := newConsoleClient(t, o)
	for range 3 {
		if a := c.signIn("wrong"); a.status != http.StatusUnauthorized {
			t.Fatalf("wrong secret: %d", a.status)
		}
	}
	a := c.signIn(apiSecret)
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "Too many sign-in attempts") {
		t.Fatalf("past the limit: %d %s", a.status, a.body)
	}
	if a := c.do(http.MethodGet, "/console/library", nil); a.status != http.StatusSeeOther {
		t.Fatalf("signed in past the limit: %d", a.status)
	}
}

// A disabled console is not served.
func TestConsoleDisabled(t *testing.T) {
	o := startOrigin(t, func(c *origin.Config) { c.Console.Disabled = true })
	if a := newConsoleClient(t, o).do(http.MethodGet, "/console/signin", nil); a.status != http.StatusNotFound {
		t.Fatalf("disabled console: %d", a.status)
	}
}

// Bulk deletion: the selected assets, then every asset under a prefix,
// worked through in the Admin API's chunks of 1,000.
func TestConsoleBulkDelete(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "bulk/", 1003, nil)
	seedAssets(t, o, "keep/", 2, nil)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	lib := c.do(http.MethodGet, "/console/library?rt=raw&prefix=bulk/", nil)
	if lib.status != http.StatusOK || !strings.Contains(lib.body, `name="public_ids" value="bulk/00000"`) {
		t.Fatalf("library: %d %s", lib.status, lib.body)
	}
	form := url.Values{"csrf": {lib.csrf(t)}, "rt": {"raw"}, "type": {"upload"}, "scope": {"selected"},
		"action": {"delete"}, "public_ids": {"bulk/00000", "bulk/00001"}}
	a := c.do(http.MethodPost, "/console/bulk", form)
	if loc := a.header.Get("Location"); a.status != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape("Deleted 2 assets in 1 Admin API call(s)")) {
		t.Fatalf("selected: %d %s", a.status, loc)
	}
	if st := adminGet(t, o, "resources/raw/upload/bulk/00000").status; st != http.StatusNotFound {
		t.Fatalf("bulk/00000 after its deletion: %d", st)
	}
	form.Set("scope", "prefix")
	form.Set("prefix", "bulk/")
	a = c.do(http.MethodPost, "/console/bulk", form)
	if loc := a.header.Get("Location"); a.status != http.StatusSeeOther || !strings.Contains(loc, url.QueryEscape("Deleted 1001 assets in 2 Admin API call(s)")) {
		t.Fatalf("prefix: %d %s", a.status, loc)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=bulk/"))); n != 0 {
		t.Fatalf("%d assets left under bulk/", n)
	}
	if n := len(ids(t, adminGet(t, o, "resources/raw/upload?prefix=keep/"))); n != 2 {
		t.Fatalf("%d assets left under keep/, want 2", n)
	}
}

// Sessions are bounded in count: past max_sessions the oldest is signed
// out.
func TestConsoleSessionsBounded(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	o := startOriginClock(t, func(c *origin.Config) { c.Console.MaxSessions = 2 }, now)
	var clients []*consoleClient
	for range 3 {
		c := newConsoleClient(t, o)
		c.mustSignIn()
		clients = append(clients, c)
	}
	for i, c := range clients {
		want := http.StatusOK
		if i == 0 {
			want = http.StatusSeeOther
		}
		if a := c.do(http.MethodGet, "/console/purges", nil); a.status != want {
			t.Errorf("client %d: %d, want %d", i, a.status, want)
		}
	}
}

// The usage page shows what Admin usage reports.
func TestConsoleUsage(t *testing.T) {
	o := startOrigin(t, nil)
	seedAssets(t, o, "u", 3, nil)
	c := newConsoleClient(t, o)
	c.mustSignIn()
	a := c.do(http.MethodGet, "/console/usage", nil)
	if a.status != http.StatusOK || !regexp.MustCompile(`<th scope="row">Objects</th><td>3</td>`).MatchString(a.body) {
		t.Fatalf("usage: %d %s", a.status, a.body)
	}
}
