package devcerts

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A server on Generate's certificates that requires client certificates
// accepts the client certificate and refuses a client without one.
func TestMutualTLS(t *testing.T) {
	f, err := Generate(t.TempDir())
	require.NoError(t, err)
	pem, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem))
	serverCert, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey)
	require.NoError(t, err)

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	get := func(certs ...tls.Certificate) error {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: certs}}}
		res, err := c.Get(srv.URL) // https://127.0.0.1:port: the IP SAN is checked
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	clientCert, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
	require.NoError(t, err)
	require.NoError(t, get(clientCert))
	require.Error(t, get(), "a client without a certificate is refused")
}

// Each role's certificate carries its name as the subject's common name,
// chains to the CA for client authentication, and Issue signs one more for
// any name; the cluster's authorizer decides by that name.
func TestClientCertificatesNameTheirRole(t *testing.T) {
	f, err := Generate(t.TempDir())
	require.NoError(t, err)
	extra, err := Issue(f, "cardflow-intruder", t.TempDir())
	require.NoError(t, err)
	pem, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem))
	for want, p := range map[string]Pair{Worker: {f.ClientCert, f.ClientKey}, API: f.API, UI: f.UI, Reader: f.Reader, System: f.System, "cardflow-intruder": extra} {
		pair, err := tls.LoadX509KeyPair(p.Cert, p.Key)
		require.NoError(t, err, want)
		cert, err := x509.ParseCertificate(pair.Certificate[0])
		require.NoError(t, err)
		require.Equal(t, want, cert.Subject.CommonName, p.Cert)
		_, err = cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		require.NoError(t, err, "%s chains to the CA as a client certificate", want)
	}
	require.Equal(t, In(filepath.Dir(f.CA)), f, "In names the files Generate writes")
}
