// Package pki makes the double's CA, its server certificate and one client certificate per Talos role, and
// writes a talosconfig per role, as `talosctl gen config` would (ca, crt, key as base64 PEM).
package pki

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	clientconfig "github.com/siderolabs/talos/pkg/machinery/client/config"
)

// Roles are the roles a client certificate can carry (its Subject Organization).
var Roles = []string{"os:admin", "os:operator", "os:reader", "os:etcd:backup"}

// Pair is a PEM certificate and key.
type Pair struct{ Crt, Key []byte }

// TLS returns the pair as a tls.Certificate.
func (p Pair) TLS() (tls.Certificate, error) { return tls.X509KeyPair(p.Crt, p.Key) }

// Bundle holds everything the double and its clients need.
type Bundle struct {
	CA      Pair
	Server  Pair
	Clients map[string]Pair // by role
}

// New makes a CA, a server certificate valid for every IP in ips and a client certificate per role.
func New(ips []string) (*Bundle, error) {
	caKey, caCrt, caPEM, err := makeCA()
	if err != nil {
		return nil, err
	}
	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "talos-double"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ip := range ips {
		parsed := net.ParseIP(ip)
		if parsed == nil {
			return nil, fmt.Errorf("not an IP address: %q", ip)
		}
		server.IPAddresses = append(server.IPAddresses, parsed)
	}
	b := &Bundle{CA: caPEM, Clients: map[string]Pair{}}
	if b.Server, err = sign(server, caCrt, caKey); err != nil {
		return nil, err
	}
	for _, role := range Roles {
		client := &x509.Certificate{
			Subject:     pkix.Name{CommonName: "talos-double-client", Organization: []string{role}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if b.Clients[role], err = sign(client, caCrt, caKey); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func makeCA() (ed25519.PrivateKey, *x509.Certificate, Pair, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, Pair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "talos-double-ca", Organization: []string{"talos"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour * 365),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return nil, nil, Pair{}, err
	}
	crt, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, Pair{}, err
	}
	keyPEM, err := encodeKey(key)
	return key, crt, Pair{Crt: encodeCert(der), Key: keyPEM}, err
}

func sign(tmpl, ca *x509.Certificate, caKey ed25519.PrivateKey) (Pair, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Pair{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return Pair{}, err
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour * 365)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
	if err != nil {
		return Pair{}, err
	}
	keyPEM, err := encodeKey(key)
	return Pair{Crt: encodeCert(der), Key: keyPEM}, err
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ServerTLS is the server side: the double's certificate, client certificates required and checked
// against the CA.
func (b *Bundle) ServerTLS() (*tls.Config, error) {
	cert, err := b.Server.TLS()
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b.CA.Crt)
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// FileName is the talosconfig's file name for a role: talosconfig for os:admin, talosconfig-reader,
// talosconfig-operator, talosconfig-etcd-backup for the others.
func FileName(role string) string {
	if role == "os:admin" {
		return "talosconfig"
	}
	return "talosconfig-" + strings.ReplaceAll(strings.TrimPrefix(role, "os:"), ":", "-")
}

// WriteTalosconfigs writes one talosconfig per role into dir (context "talos-double") and returns the
// admin one's path.
func (b *Bundle) WriteTalosconfigs(dir string, endpoints, nodes []string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for _, role := range Roles {
		pair := b.Clients[role]
		cfg := &clientconfig.Config{
			Context: "talos-double",
			Contexts: map[string]*clientconfig.Context{"talos-double": {
				Endpoints: endpoints,
				Nodes:     nodes,
				CA:        base64.StdEncoding.EncodeToString(b.CA.Crt),
				Crt:       base64.StdEncoding.EncodeToString(pair.Crt),
				Key:       base64.StdEncoding.EncodeToString(pair.Key),
			}},
		}
		if err := cfg.Save(filepath.Join(dir, FileName(role))); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, FileName("os:admin")), nil
}
