// Package devcerts makes the certificates of a private test PKI with Go's
// crypto/x509: a CA, a server certificate for this machine's loopback names
// and a client certificate per role on the cluster, as PEM files. `make
// test-cluster` and `make cluster` run the Temporal frontend with mutual TLS
// on them, and tests serve HTTPS with them. Nothing in production uses them:
// a deployment brings its own, with the same names.
package devcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The client certificates' subject common names. The Temporal server gives
// each its roles (deploy/temporal/cluster.yaml, certificateRoles); any other
// name the CA signs is refused.
const (
	System = "temporal-system" // the server's own system worker; the operator's administration
	Worker = "cardflow-worker" // cardflow's workers (writer on the namespace)
	API    = "cardflow-api"    // cardflow's shop API (writer)
	UI     = "temporal-ui"     // Temporal's UI (writer: operators signal retry-operation)
	Reader = "cardflow-reader" // read-only
)

// Pair is a certificate and its key.
type Pair struct{ Cert, Key string }

// Files are the paths Generate wrote.
type Files struct {
	CA                    string // the CA certificate: servers and clients trust it
	CAKey                 string // the CA's key, to Issue more
	ServerCert, ServerKey string // for localhost, 127.0.0.1 and ::1
	// ClientCert and ClientKey are the workers' certificate (Worker), the
	// one a single client of all of cardflow presents (tests, the soak).
	ClientCert, ClientKey string
	API, UI, Reader       Pair // named <name>.pem, <name>-key.pem
	System                Pair
}

// In are the paths of the files Generate writes into dir.
func In(dir string) Files {
	pair := func(name string) Pair {
		return Pair{filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")}
	}
	return Files{
		CA: filepath.Join(dir, "ca.pem"), CAKey: filepath.Join(dir, "ca-key.pem"),
		ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"), ClientKey: filepath.Join(dir, "client-key.pem"),
		API: pair(API), UI: pair(UI), Reader: pair(Reader), System: pair(System),
	}
}

// Generate writes a new CA, a server certificate and a client certificate for
// each role (ECDSA P-256, valid for a day: long enough for any test, too short
// to be worth stealing) into dir.
func Generate(dir string) (Files, error) {
	f := In(dir)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return f, err
	}
	ca := template("cardflow test CA")
	ca.IsCA, ca.BasicConstraintsValid = true, true
	ca.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return f, fmt.Errorf("devcerts: CA: %w", err)
	}
	if err := writePEM(f.CA, "CERTIFICATE", caDER); err != nil {
		return f, err
	}
	caKeyDER, err := x509.MarshalPKCS8PrivateKey(caKey)
	if err != nil {
		return f, err
	}
	if err := writePEM(f.CAKey, "PRIVATE KEY", caKeyDER); err != nil {
		return f, err
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return f, err
	}
	srv := template("localhost")
	srv.DNSNames = []string{"localhost"}
	srv.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srv.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if err := issue(srv, ca, caKey, Pair{f.ServerCert, f.ServerKey}); err != nil {
		return f, err
	}
	for name, p := range map[string]Pair{Worker: {f.ClientCert, f.ClientKey}, API: f.API, UI: f.UI, Reader: f.Reader, System: f.System} {
		if err := issue(client(name), ca, caKey, p); err != nil {
			return f, err
		}
	}
	return f, nil
}

// Issue signs a client certificate for name with the CA Generate wrote and
// writes it into dir as <name>.pem and <name>-key.pem.
func Issue(f Files, name, dir string) (Pair, error) {
	ca, err := tls.LoadX509KeyPair(f.CA, f.CAKey)
	if err != nil {
		return Pair{}, fmt.Errorf("devcerts: the CA: %w", err)
	}
	cert, err := x509.ParseCertificate(ca.Certificate[0])
	if err != nil {
		return Pair{}, err
	}
	key, ok := ca.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return Pair{}, errors.New("devcerts: the CA's key is not ECDSA")
	}
	p := Pair{filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")}
	return p, issue(client(name), cert, key, p)
}

func client(name string) *x509.Certificate {
	c := template(name)
	c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return c
}

func template(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"cardflow test"}},
		NotBefore:    now.Add(-time.Hour), // a clock slightly behind still accepts it
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// issue signs a new key's certificate by the CA and writes both.
func issue(cert, ca *x509.Certificate, caKey *ecdsa.PrivateKey, p Pair) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.CreateCertificate(rand.Reader, cert, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("devcerts: %s: %w", cert.Subject.CommonName, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(p.Cert, "CERTIFICATE", der); err != nil {
		return err
	}
	return writePEM(p.Key, "PRIVATE KEY", keyDER)
}

func writePEM(path, typ string, der []byte) error {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("devcerts: %w", err)
	}
	return nil
}
