package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2"
	cldadmin "github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"

	"github.com/mediacdn/mediacdn/internal/testkit"
	"github.com/mediacdn/mediacdn/origin"
	"github.com/mediacdn/mediacdn/purge"
)

// selfSignedCert writes a throwaway self-signed certificate for 127.0.0.1
// and its key into dir, and returns their files and a pool trusting it.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mediacdn test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return certFile, keyFile, pool
}

// With origin.tls, the origin serves its API over HTTPS on a listener of
// its own, HTTP/2 offered: the official Go SDK, trusting the certificate,
// uploads and reads the asset back over it; origin.listen stays plain HTTP
// for the edges.
func TestOriginServesAPIOverTLS(t *testing.T) {
	ns := startNATS(t, "127.0.0.1:0")
	f := originFile(t, ns.URL())
	certFile, keyFile, pool := selfSignedCert(t, t.TempDir())
	f.Origin.TLS = origin.TLS{Listen: "127.0.0.1:0", CertFile: certFile, KeyFile: keyFile}
	if err := f.Validate(RoleOrigin); err != nil {
		t.Fatal(err)
	}
	svc, err := newOrigin(f, slog.New(slog.DiscardHandler), make(chan error, 4), func() purge.Config { return f.NATS })
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	o := svc.(interface {
		Addr() string
		TLSAddr() string
	})
	api := "https://" + o.TLSAddr()
	if o.TLSAddr() == "" || o.TLSAddr() == o.Addr() {
		t.Fatalf("HTTPS listener at %q, HTTP at %q", o.TLSAddr(), o.Addr())
	}

	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	t.Cleanup(transport.CloseIdleConnections)
	cld, err := cloudinary.NewFromURL("cloudinary://demo_key:demo_secret@demo?upload_prefix=" + api + "&analytics=false")
	if err != nil {
		t.Fatal(err)
	}
	cld.Upload.Client = http.Client{Transport: transport, Timeout: testkit.Timeout}
	cld.Admin.Client = http.Client{Transport: transport, Timeout: testkit.Timeout}
	ctx := t.Context()
	up, err := cld.Upload.Upload(ctx, testkit.Path(t, "rocket.jpg"), uploader.UploadParams{PublicID: "over_tls"})
	if err != nil || up.Error.Message != "" || up.PublicID != "over_tls" {
		t.Fatalf("upload over https: %v %+v", err, up)
	}
	asset, err := cld.Admin.Asset(ctx, cldadmin.AssetParams{PublicID: "over_tls"})
	if err != nil || asset.Error.Message != "" || asset.AssetID != up.AssetID {
		t.Fatalf("asset over https: %v %+v", err, asset)
	}

	// HTTP/2 is offered beside HTTP/1.1.
	resp, err := (&http.Client{Transport: transport, Timeout: testkit.Timeout}).Get(api + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Errorf("GET /healthz over https: %s %s", resp.Proto, resp.Status)
	}
	// A client that does not trust the certificate is refused.
	if _, err := http.Get(api + "/healthz"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusting client: %v", err)
	}
	// origin.listen still answers plain HTTP (edges fill from it).
	if g := testkit.Get(t, "http://"+o.Addr()+"/healthz"); g.Status != http.StatusOK {
		t.Errorf("plain listener: %+v", g)
	}
}

// origin.tls is checked as the file is loaded: the three fields together,
// an address of its own, a certificate and key that load.
func TestOriginTLSValidate(t *testing.T) {
	certFile, keyFile, _ := selfSignedCert(t, t.TempDir())
	base := "clouds:\n  demo: {api_key: k, api_secret: s}\nnats: {urls: [nats://127.0.0.1:4222]}\n"
	for _, c := range []struct{ yaml, want string }{
		{"origin: {tls: {listen: 127.0.0.1:8443, cert_file: " + certFile + ", key_file: " + keyFile + "}}", ""},
		{"origin: {tls: {cert_file: " + certFile + ", key_file: " + keyFile + "}}", "origin.tls.listen: required with tls.cert_file and tls.key_file"},
		{"origin: {tls: {listen: nowhere, cert_file: " + certFile + ", key_file: " + keyFile + "}}", `origin.tls.listen: "nowhere" is not host:port`},
		{"origin: {listen: 127.0.0.1:8081, tls: {listen: 127.0.0.1:8081, cert_file: " + certFile + ", key_file: " + keyFile + "}}", "origin.tls.listen: must differ from listen and metrics_listen"},
		{"origin: {tls: {listen: 127.0.0.1:8443, key_file: " + keyFile + "}}", "origin.tls.cert_file: required with tls.listen"},
		{"origin: {tls: {listen: 127.0.0.1:8443, cert_file: " + certFile + "}}", "origin.tls.key_file: required with tls.listen"},
		{"origin: {tls: {listen: 127.0.0.1:8443, cert_file: /nonexistent/cert.pem, key_file: " + keyFile + "}}", "origin.tls.cert_file: cannot load the certificate /nonexistent/cert.pem"},
		{"origin: {tls: {listen: 127.0.0.1:8443, cert_file: " + keyFile + ", key_file: " + certFile + "}}", "origin.tls.cert_file: cannot load the certificate"},
	} {
		f, err := ParseFile([]byte(base + c.yaml))
		if err == nil {
			err = f.Validate(RoleOrigin)
		}
		if (c.want == "" && err != nil) || (c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want))) {
			t.Errorf("%s: got %v, want %q", c.yaml, err, c.want)
		}
	}
}

// mediacdn dev with origin.tls serves the API over HTTPS too, and its
// banner says where; without it (TestDevBanner) it prints no such line.
func TestDevServesAPIOverTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	tlsAddr := freeAddr(t)
	cfg := filepath.Join(dir, "dev.yaml")
	yaml := "clouds:\n  demo: {api_key: demo_key, api_secret: demo_secret}\n" +
		"origin:\n  tls: {listen: " + tlsAddr + ", cert_file: " + certFile + ", key_file: " + keyFile + "}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDevWith(t, "-config", cfg)
	d.waitBanner(t, nil)
	if want := "API over HTTPS        https://" + tlsAddr + "/v1_1/demo/\n"; !strings.Contains(d.stdout.String(), want) {
		t.Errorf("banner lacks %q:\n%s", want, d.stdout.String())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: testkit.Timeout}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + tlsAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz over https: %s", resp.Status)
	}
}
