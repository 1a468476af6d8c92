package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Purge asks an origin's API to invalidate an asset, a prefix, a named
// transformation or a whole cloud, or reports an invalidation's status.
func Purge(ctx context.Context, args []string, io *IO) error {
	fs := newFlags("purge", "purge [flags] (asset <public_id> | prefix <prefix> | transformation <name> | cloud | status <id>)", io)
	api := fs.String("api", "http://127.0.0.1:8081", "origin API base `url`")
	cloud := fs.String("cloud", "demo", "cloud `name`")
	key := fs.String("key", "", "API key, with -secret (default $MEDIACDN_API_KEY, else the cloud's in -config)")
	secret := fs.String("secret", "", "API secret, with -key (default $MEDIACDN_API_SECRET, else the cloud's in -config)")
	cfgPath := fs.String("config", "", "YAML file to read the cloud's key and secret from (default: built-in dev)")
	rt := fs.String("resource-type", "image", "resource type of asset and prefix purges")
	typ := fs.String("type", "upload", "delivery type of asset and prefix purges")
	wait := fs.Duration("wait", 5*time.Second, "wait up to this long for every live edge to apply the purge (0: don't)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usageError("say what to purge")
	}
	k, s, err := purgeCredentials(*cfgPath, *cloud, *key, *secret, io)
	if err != nil {
		return err
	}
	base := strings.TrimRight(*api, "/") + "/v1_1/" + url.PathEscape(*cloud) + "/invalidations"
	form := url.Values{"resource_type": {*rt}, "type": {*typ}, "wait": {strconv.FormatInt(wait.Milliseconds(), 10)}}
	method, target := http.MethodPost, base
	switch what := fs.Arg(0); {
	case what == "asset" && fs.NArg() == 2:
		form.Set("public_id", fs.Arg(1))
	case what == "prefix" && fs.NArg() == 2:
		form.Set("prefix", fs.Arg(1))
	case what == "transformation" && fs.NArg() == 2:
		form.Set("transformation", fs.Arg(1))
	case what == "cloud" && fs.NArg() == 1:
		form.Set("all", "true")
	case what == "status" && fs.NArg() == 2:
		method, target, form = http.MethodGet, base+"/"+url.PathEscape(fs.Arg(1)), nil
	default:
		fs.Usage()
		return usageError("unknown purge %q", strings.Join(fs.Args(), " "))
	}
	return sendPurge(ctx, method, target, form, k, s, *wait, io)
}

// purgeCredentials picks the key and secret: -key and -secret, else
// $MEDIACDN_API_KEY and $MEDIACDN_API_SECRET, else the cloud's in -config
// (or the built-in dev file). A key and its secret come together: one
// without the other is an error naming the missing one, never a silent
// fall back to other credentials.
func purgeCredentials(path, cloud, key, secret string, io *IO) (string, string, error) {
	switch {
	case key != "" && secret != "":
		return key, secret, nil
	case key != "":
		return "", "", usageError("-key given without -secret: give both, or neither to use the cloud's from -config")
	case secret != "":
		return "", "", usageError("-secret given without -key: give both, or neither to use the cloud's from -config")
	}
	key, secret = os.Getenv("MEDIACDN_API_KEY"), os.Getenv("MEDIACDN_API_SECRET")
	switch {
	case key != "" && secret != "":
		return key, secret, nil
	case key != "":
		return "", "", errors.New("MEDIACDN_API_KEY is set without MEDIACDN_API_SECRET: set both, or neither to use the cloud's from -config")
	case secret != "":
		return "", "", errors.New("MEDIACDN_API_SECRET is set without MEDIACDN_API_KEY: set both, or neither to use the cloud's from -config")
	}
	f, err := roleFile(path, io)
	if err != nil {
		return "", "", err
	}
	cl, ok := f.Clouds[cloud]
	if !ok || cl.APIKey == "" || cl.APISecret == "" {
		return "", "", fmt.Errorf("no key and secret for cloud %q: give -key and -secret or -config", cloud)
	}
	return cl.APIKey, cl.APISecret, nil
}

func sendPurge(ctx context.Context, method, target string, form url.Values, key, secret string, wait time.Duration, out *IO) error {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	ctx, cancel := context.WithTimeout(ctx, wait+30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.SetBasicAuth(key, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct {
		Error *struct{ Message string } `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != nil {
		return fmt.Errorf("origin answered %d: %s", resp.StatusCode, e.Error.Message)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("origin answered %d", resp.StatusCode)
	}
	fmt.Fprintln(out.Stdout, strings.TrimSpace(string(b)))
	return nil
}
