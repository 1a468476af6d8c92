package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The files of the throwaway TLS certificate the runner makes for the
// origin's HTTPS listener (origin.tls in dev.yaml), in tlsDir beside the
// configuration, which mediacdn dev runs in.
const (
	tlsDir  = "tls"
	tlsCA   = "ca.pem"   // the certificate authority the SDK trusts (NODE_EXTRA_CA_CERTS)
	tlsCert = "cert.pem" // the listener's certificate, for 127.0.0.1, signed by it
	tlsKey  = "key.pem"  // its key
)

// writeTLS makes a certificate authority and a certificate for 127.0.0.1
// it signs, valid for a day, and writes them into dir/tlsDir; their keys
// exist only here and in the key file, and go with the temporary directory.
func writeTLS(dir string) error {
	out := filepath.Join(dir, tlsDir)
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mediacdn sdksuite throwaway CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	for name, b := range map[string]*pem.Block{
		tlsCA:   {Type: "CERTIFICATE", Bytes: caDER},
		tlsCert: {Type: "CERTIFICATE", Bytes: leafDER},
		tlsKey:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(out, name), pem.EncodeToMemory(b), 0o600); err != nil {
			return err
		}
	}
	return nil
}
