package devcerts

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
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
