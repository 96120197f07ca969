package app

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/devcerts"
)

// Off loopback the API starts only with a certificate; on loopback plain HTTP
// is allowed; a certificate without its key (or one that does not load) stops it.
func TestAPITLSRefusesPlainHTTPOffLoopback(t *testing.T) {
	cfg := config.Default()
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "api.example.com:443"} {
		cfg.APIAddr = addr
		_, err := APITLS(cfg)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "CARDFLOW_TLS_CERT", addr)
	}
	cfg.APIAddr = "127.0.0.1:8080"
	tc, err := APITLS(cfg)
	require.NoError(t, err)
	assert.Nil(t, tc, "loopback: plain HTTP")

	f, err := devcerts.Generate(t.TempDir())
	require.NoError(t, err)
	cfg.TLSCert = f.ServerCert
	_, err = APITLS(cfg)
	require.ErrorContains(t, err, "go together")
	cfg.TLSKey = f.ClientKey // not this certificate's key
	_, err = APITLS(cfg)
	require.Error(t, err)
}

// With a certificate the API's server answers HTTPS, off loopback too.
func TestAPIServesTLS(t *testing.T) {
	f, err := devcerts.Generate(t.TempDir())
	require.NoError(t, err)
	cfg := config.Default()
	cfg.APIAddr, cfg.TLSCert, cfg.TLSKey = "0.0.0.0:0", f.ServerCert, f.ServerKey
	t.Setenv("CARDFLOW_CODEC_AUTH", "token") // off loopback the codec server needs one
	cfg.MetricsAuth = "metrics-token"        // and /metrics
	srv, err := APIServer(cfg, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }), APITimeouts(time.Minute))
	require.NoError(t, err)
	srv.TLSConfig, err = APITLS(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })

	pem, err := os.ReadFile(f.CA)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := c.Get("https://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	// Plain HTTP to the TLS port gets Go's 400, never the handler.
	res, err = http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
}
